"""The `gru-lab` command that `pip install .` puts on the PATH: the app, or a lecture hall behind nginx.

    gru-lab                                         # the app at http://localhost:8501, as `streamlit run app.py`
    gru-lab run --server.address 0.0.0.0            # extra flags go to `streamlit run`
    gru-lab serve --replicas 4 --port 8080 --host 0.0.0.0   # deploy/serve.py: N replicas behind nginx

Both run the app's own folder (gru_lab.paths.APP_DIR: the repository root in a checkout, gru_lab/app/ in an
installed copy) from that folder, so its .streamlit/config.toml applies exactly as to `streamlit run app.py`;
a relative path in a flag is therefore read from there. The folder may be read-only: the app writes only to
GRU_LAB_RUNTIME_DIR and the class store (GRU_LAB_CLASS_STORE). No Streamlit imported here.
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Sequence

from .paths import APP_DIR

USAGE = f"""usage: gru-lab [run] [streamlit flags ...]
       gru-lab serve [--replicas N] [--port P] [--host H] [--workdir W] [--replica-port R] [-- streamlit flags ...]

  run     (the default) the app on http://localhost:8501: `streamlit run app.py` in the app's folder;
          flags such as --server.port 8600 or --server.address 0.0.0.0 go to `streamlit run`
  serve   a lecture hall: N Streamlit replicas behind nginx (deploy/serve.py; `gru-lab serve --help`)

The app's folder: {APP_DIR}
"""


def streamlit_command(flags: Sequence[str] = ()) -> list[str]:
    """`python -m streamlit run <app folder>/app.py` with `flags`; run it with cwd=APP_DIR."""
    return [sys.executable, "-m", "streamlit", "run", str(APP_DIR / "app.py"), *flags]


def run(flags: Sequence[str] = ()) -> int:
    """The app in this process's place (POSIX: exec, so Ctrl-C and the exit code are Streamlit's own)."""
    cmd = streamlit_command(flags)
    if os.name == "posix":
        os.chdir(APP_DIR)
        os.execv(sys.executable, cmd)
    return subprocess.call(cmd, cwd=APP_DIR)  # pragma: no cover (not POSIX)


def load_serve():
    """deploy/serve.py of the app's folder, as a module (it is a script, not a package)."""
    path = APP_DIR / "deploy" / "serve.py"
    spec = importlib.util.spec_from_file_location("gru_lab_deploy_serve", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"no deploy script at {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["-h"], ["--help"], ["help"]):
        print(USAGE, end="")
        return 0
    if args[:1] == ["serve"]:
        sys.argv[0] = "gru-lab serve"  # what serve.py's --help names
        return load_serve().main(args[1:])
    return run(args[1:] if args[:1] == ["run"] else args)


if __name__ == "__main__":
    sys.exit(main())
