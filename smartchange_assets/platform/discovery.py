"""Find what the code location holds by convention, so that nothing is listed by hand.

Every module below the package's layer folders (``jakarta/``, ``berlin/``, ``global_/``,
``core/``, ``marts/``, …; not ``platform/`` and nothing whose name starts with ``_``, such as
``_template/``) is imported, and its module-level objects of the kinds asked for are collected,
also from module-level lists and tuples. An object imported into several modules is collected
once. Adding a source is adding a folder with a ``source.py`` that defines a ``SourceSpec``;
removing one is deleting the folder.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from types import ModuleType

# the spine itself, and entry points that import the definitions (never walked)
NOT_WALKED = ("platform",)


def layer_modules(package: ModuleType) -> Iterator[ModuleType]:
    """Every module of the package's subpackages (not the spine's), in name order."""
    names = []
    for info in pkgutil.iter_modules(package.__path__):
        if not info.ispkg or info.name in NOT_WALKED or info.name.startswith("_"):
            continue
        sub = importlib.import_module(f"{package.__name__}.{info.name}")
        names.append(sub.__name__)
        names += [m.name for m in pkgutil.walk_packages(sub.__path__, f"{sub.__name__}.",
                                                        onerror=_raise)
                  if not any(part.startswith("_") for part in m.name.split(".")[1:])]
    for name in sorted(names):
        yield importlib.import_module(name)


def package_modules(package: ModuleType) -> Iterator[ModuleType]:
    """Every module inside one package (its subpackages' too), in name order; modules whose
    name starts with ``_`` are skipped."""
    names = sorted(m.name for m in pkgutil.walk_packages(package.__path__, f"{package.__name__}.",
                                                          onerror=_raise)
                   if not any(part.startswith("_")
                              for part in m.name[len(package.__name__) + 1:].split(".")))
    for name in names:
        yield importlib.import_module(name)


def collect(modules: Iterator[ModuleType], kinds: tuple[type, ...]) -> dict[type, list]:
    """Module-level objects of each kind (and members of module-level lists and tuples), each
    object once, in the order first seen; an object of several kinds counts as the first of
    ``kinds`` it is an instance of."""
    found: dict[type, list] = {kind: [] for kind in kinds}
    seen: set[int] = set()
    for module in modules:
        for value in vars(module).values():
            for item in value if type(value) in (list, tuple) else (value,):
                kind = next((k for k in kinds if isinstance(item, k)), None)
                if kind is not None and id(item) not in seen:
                    seen.add(id(item))
                    found[kind].append(item)
    return found


def _raise(name: str) -> None:
    raise ImportError(f"cannot import {name} while discovering the code location")
