"""Shared pytest set-up: every test runs on the course subset of MNIST unless it says otherwise."""

import os

os.environ.setdefault("COURSE_MNIST", "subset")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# idle OpenMP threads sleep instead of spinning (tools.notebooks.client says why); the kernels
# the notebook and hub tests start inherit it
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
