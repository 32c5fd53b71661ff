"""Loads the handler function once at start: HANDLER_MODULE (default ``handler``) and
HANDLER_FUNCTION (default ``handle``), imported from the working directory or PYTHONPATH."""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class HandlerLoadError(Exception):
    """The handler cannot be used; the message says why, in one line."""


@dataclass(frozen=True)
class LoadedHandler:
    function: Callable[..., Any]
    #: The handler's signature takes a second argument: it gets the context.
    takes_context: bool
    is_async: bool
    description: str


def load_handler(module_name: str, function_name: str, directory: str | None = None) -> LoadedHandler:
    """Imports ``module_name`` and returns its ``function_name``; HandlerLoadError in one line."""
    directory = os.path.abspath(directory or os.getcwd())
    if directory not in sys.path:
        sys.path.insert(0, directory)
    where = f"HANDLER_MODULE={module_name}; searched {directory} and PYTHONPATH"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        missing = error.name or ""
        if missing == module_name or module_name.startswith(missing + "."):
            raise HandlerLoadError(f"handler module {module_name!r} not found ({where})") from None
        raise HandlerLoadError(
            f"handler module {module_name!r} failed to import: {type(error).__name__}: {error}"
        ) from None
    except SyntaxError as error:
        place = f"{error.filename}, line {error.lineno}" if error.filename else "unknown place"
        raise HandlerLoadError(
            f"handler module {module_name!r} has a syntax error: {error.msg} ({place})"
        ) from None
    except BaseException as error:  # the module's own code failed (or called sys.exit)
        raise HandlerLoadError(
            f"handler module {module_name!r} failed to import: {type(error).__name__}: {error}"
        ) from None
    source = getattr(module, "__file__", None) or module_name
    if not hasattr(module, function_name):
        defined = sorted(
            name for name, value in vars(module).items() if callable(value) and not name.startswith("_")
        )
        found = f"it defines: {', '.join(defined)}" if defined else "it defines no functions"
        raise HandlerLoadError(
            f"handler module {module_name!r} ({source}) has no function {function_name!r} "
            f"(HANDLER_FUNCTION={function_name}; {found})"
        )
    function = getattr(module, function_name)
    if not callable(function):
        raise HandlerLoadError(
            f"{module_name}.{function_name} ({source}) is a {type(function).__name__}, not a function"
        )
    return LoadedHandler(
        function=function,
        takes_context=_takes_context(function),
        is_async=_is_async(function),
        description=f"{module_name}.{function_name}",
    )


def _is_async(function: Callable[..., Any]) -> bool:
    """An ``async def`` function, or an object whose ``__call__`` is one."""
    call = vars(type(function)).get("__call__")
    return inspect.iscoroutinefunction(function) or inspect.iscoroutinefunction(call)


def _takes_context(function: Callable[..., Any]) -> bool:
    """True when the handler can be called with (request, context)."""
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in parameters)
