"""nanofaas Python function runtime: ``def handle(request: dict) -> object`` served by Flask under
Gunicorn, in STDIO/FILE mode, or once with a completion callback (README.md)."""

from .context import Context
from .errors import FunctionError

__all__ = ["Context", "FunctionError"]
__version__ = "0.1.0"
