"""Where the app's own files are: the folder holding app.py, lab.py, app_pages/, weights/, .streamlit/config.toml
and deploy/. In a checkout that is the repository root (gru_lab's parent); installed (`pip install .`) it is
gru_lab/app/, which pyproject.toml fills with the same files. Read only: the app writes to its runtime folder
and its class store, never here. Pure: no Streamlit.
"""
from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
INSTALLED = PACKAGE / "app"  # only an installed copy has it; a checkout must not
APP_DIR = INSTALLED if (INSTALLED / "app.py").is_file() else PACKAGE.parent
WEIGHTS = APP_DIR / "weights"
