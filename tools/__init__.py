"""Maintenance commands the Makefile calls: ``python -m tools.<command> notebooks/*.ipynb``.

execute   re-run notebooks in place from a clean kernel (how the committed outputs are made)
bench     time every notebook and its peak kernel memory, run ``benchmarks/``; write BENCHMARKS.md
slides    build the reveal.js decks into build/slides/
student   write copies without solutions into build/student/
"""
