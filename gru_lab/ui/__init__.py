"""The Streamlit side of GRU Lab: every module that imports Streamlit lives here (tests/test_structure.py
checks it). Everything else in gru_lab is pure and testable without it."""
