"""Shared pytest set-up: every test runs with the offline MNIST subset unless it says otherwise."""

import os

os.environ.setdefault("COURSE_MNIST", "offline")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
