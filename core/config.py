"""The user's settings file and the app's remembered view, without Textual.

Settings live in ``config.toml`` in the platform's config folder
(``~/.config/shelf`` on Linux; ``$SHELF_CONFIG_DIR`` overrides it), a file a
person may edit by hand, so it is read with ``tomllib`` and a mistake in it
is reported, never fatal. shelf writes it only for ``shelf config set`` and
when the theme is changed in the app, atomically, keeping keys it does not know.

The remembered view (last query, filters, sort) is kept per user in the data
folder instead (``views/NAME.json``): it names tags, sources and saved
searches of that library, so it belongs with it, and a second library (another
``--data-dir``) remembers its own view.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage.atomic import StorageError, atomic_write

CONFIG_NAME = "config.toml"
#: The settings there are, with what ``shelf config get`` prints when unset.
DEFAULTS: dict[str, Any] = {
    "theme": "textual-dark",
    "default_sort": "relevance",
    "restore_view": True,
}
VIEW_FORMAT = 1


class ConfigError(StorageError):
    """The config file or a value for it cannot be used; the message says which and why."""


def config_dir() -> Path:
    chosen = os.environ.get("SHELF_CONFIG_DIR")
    if chosen:
        return Path(chosen).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("shelf"))


def config_path() -> Path:
    return config_dir() / CONFIG_NAME


@dataclass
class Config:
    theme: str | None = None
    default_sort: str = "relevance"
    restore_view: bool = True
    #: Binding id (``item.toggle_read``) to keys (``"x"`` or ``"x,ctrl+r"``).
    keys: dict[str, str] = field(default_factory=dict)
    #: Everything the file holds, unknown keys included, so a rewrite keeps them.
    raw: dict[str, Any] = field(default_factory=dict)


def _sorts() -> tuple[str, ...]:
    from core.listing import SORTS

    return SORTS


def _checked(raw: Mapping[str, Any], where: str) -> Config:
    theme = raw.get("theme")
    if theme is not None and not isinstance(theme, str):
        raise ConfigError(f"{where}: theme must be a theme name in quotes")
    sort = raw.get("default_sort", "relevance")
    if sort not in _sorts():
        raise ConfigError(f"{where}: default_sort must be one of {', '.join(_sorts())}")
    restore = raw.get("restore_view", True)
    if not isinstance(restore, bool):
        raise ConfigError(f"{where}: restore_view must be true or false")
    keys = raw.get("keys", {})
    if not isinstance(keys, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in keys.items()
    ):
        raise ConfigError(
            f'{where}: [keys] maps binding ids to keys, e.g. "item.toggle_read" = "x"'
        )
    return Config(theme, sort, restore, dict(keys), dict(raw))


def load_config(path: Path | None = None) -> Config:
    """The settings; defaults when there is no file. Raises ConfigError for a broken one."""
    path = path or config_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return _checked(raw, str(path))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise ConfigError(f"cannot write {value!r} to the config file")


def _toml_key(key: str) -> str:
    bare = key.replace("-", "").replace("_", "").isalnum() and key.isascii()
    return key if bare else json.dumps(key)


def to_toml(raw: Mapping[str, Any]) -> str:
    """Plain values first, then one table each: all a settings file needs."""
    lines = ["# shelf settings: see README, 'The config file'."]
    tables = {k: v for k, v in raw.items() if isinstance(v, dict)}
    for key, value in raw.items():
        if key not in tables:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for name, table in tables.items():
        lines += ["", f"[{_toml_key(name)}]"]
        lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def _parse_value(key: str, text: str) -> Any:
    if key == "restore_view":
        lowered = text.strip().lower()
        if lowered in {"true", "yes", "on", "1"}:
            return True
        if lowered in {"false", "no", "off", "0"}:
            return False
        raise ConfigError("restore_view must be true or false")
    return text


def settable_keys() -> list[str]:
    return [*DEFAULTS, "keys.BINDING_ID"]


def set_value(key: str, value: str, path: Path | None = None) -> Config:
    """Set one setting (``theme``, ``keys.item.toggle_read`` …) and save the file atomically."""
    path = path or config_path()
    raw = dict(load_config(path).raw)
    if key.startswith("keys."):
        binding = key.removeprefix("keys.")
        if not binding:
            raise ConfigError("name the binding: keys.BINDING_ID, e.g. keys.item.toggle_read")
        keys = dict(raw.get("keys", {}))
        if value:
            keys[binding] = value
        else:
            keys.pop(binding, None)  # an empty value restores the default key
        raw["keys"] = keys
    elif key in DEFAULTS:
        raw[key] = _parse_value(key, value)
    else:
        raise ConfigError(f"unknown setting {key!r} (known: {', '.join(settable_keys())})")
    config = _checked(raw, key)
    save_raw(raw, path)
    return config


def get_value(key: str, path: Path | None = None) -> Any:
    config = load_config(path)
    if key.startswith("keys."):
        return config.keys.get(key.removeprefix("keys."))
    if key == "keys":
        return config.keys
    if key not in DEFAULTS:
        raise ConfigError(f"unknown setting {key!r} (known: {', '.join(settable_keys())})")
    return config.raw.get(key, DEFAULTS[key])


def save_raw(raw: Mapping[str, Any], path: Path | None = None) -> None:
    path = path or config_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
    atomic_write(path, to_toml(raw).encode("utf-8"))


# -- the remembered view ------------------------------------------------------


@dataclass
class SavedView:
    query: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str | None = None


def _view_path(data_dir: Path, user: str) -> Path:
    return Path(data_dir) / "views" / f"{user}.json"


def load_view(data_dir: Path, user: str) -> SavedView:
    """The view the user left; an empty one if there is none or it cannot be read."""
    try:
        raw = json.loads(_view_path(data_dir, user).read_bytes())
        view = raw["view"]
        filters = {
            str(g): [str(v) for v in values]
            for g, values in dict(view.get("filters", {})).items()
            if isinstance(values, list)
        }
        sort = view.get("sort")
        return SavedView(str(view.get("query", "")), filters, sort if sort in _sorts() else None)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return SavedView()  # a view is a convenience: never worth an error at start-up


def save_view(data_dir: Path, user: str, view: SavedView) -> None:
    path = _view_path(data_dir, user)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "format": {"name": "shelf-view", "version": VIEW_FORMAT},
        "view": {"query": view.query, "filters": view.filters, "sort": view.sort},
    }
    atomic_write(path, json.dumps(data, indent=2, sort_keys=True).encode("utf-8") + b"\n")
