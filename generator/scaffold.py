"""``cdash new``: a new council's folder from the cookiecutter template in ``template/``.

The answers are checked by the template's own ``hooks/pre_gen_project.py`` (imported here
too, so ``--no-input`` mistakes get one clear message before cookiecutter runs), and an
existing council is never overwritten.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

from generator.errors import CdashError, UsageError
from generator.paths import TEMPLATE_DIR

#: The cookiecutter template shipped with the source tree.


def template_hooks(template: Path = TEMPLATE_DIR) -> ModuleType:
    """The template's pre-generation hook, imported as a module for its ``check_*``."""
    spec = importlib.util.spec_from_file_location(
        "cdash_template_hooks", template / "hooks" / "pre_gen_project.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def default_context(template: Path = TEMPLATE_DIR) -> dict[str, Any]:
    """The template's questions and defaults, from cookiecutter.json."""
    data: dict[str, Any] = json.loads((template / "cookiecutter.json").read_text("utf-8"))
    return data


def new_council(
    configs: Path, answers: dict[str, str], *, no_input: bool, template: Path = TEMPLATE_DIR
) -> Path:
    """Create ``configs/<slug>/`` and return it.

    Raises UsageError for bad answers given as options (and in --no-input mode), and
    CdashError when the council exists already; the existing folder is left untouched.
    """
    from cookiecutter.exceptions import (
        CookiecutterException,
        FailedHookException,
        OutputDirExistsException,
    )
    from cookiecutter.main import cookiecutter

    if no_input:
        _refuse_existing(configs / _check(answers, template))
    elif "slug" in answers:
        _refuse_existing(configs / answers["slug"])
    configs.mkdir(parents=True, exist_ok=True)
    try:
        made = cookiecutter(
            str(template),
            no_input=no_input,
            extra_context=answers,
            output_dir=str(configs),
            overwrite_if_exists=False,
        )
    except OutputDirExistsException:
        # cookiecutter raises before writing anything into an existing folder.
        raise CdashError(
            "that council already exists in "
            f"{configs}; nothing was changed (pick another slug, or delete "
            "the folder first)"
        ) from None
    except FailedHookException:
        raise UsageError("the template refused the answers (see the message above)") from None
    except CookiecutterException as exc:
        raise CdashError(f"the council template failed: {exc}") from None
    return Path(made)


def _check(answers: dict[str, str], template: Path) -> str:
    """Check --no-input answers with the template's own rules, before cookiecutter runs;
    return the slug they give."""
    from jinja2 import Environment

    hooks = template_hooks(template)
    defaults = default_context(template)
    merged = {k: v for k, v in defaults.items() if not k.startswith("_")} | answers
    if "slug" not in answers:
        env = Environment(extensions=["cookiecutter.extensions.SlugifyExtension"])
        merged["slug"] = env.from_string(str(defaults["slug"])).render(cookiecutter=merged)
    messages = hooks.check_all(
        str(merged["gss_code"]),
        str(merged["slug"]),
        str(merged["brand_colour"]),
        str(merged["contact_email"]),
        str(merged["disclosure_threshold"]),
    )
    if messages:
        raise UsageError("; ".join(messages))
    return str(merged["slug"])


def _refuse_existing(folder: Path) -> None:
    if folder.exists():
        raise CdashError(
            f"council folder {folder} already exists; nothing was changed "
            "(pick another slug, or delete the folder first)"
        )
