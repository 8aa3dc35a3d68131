"""Check request bodies against Discord's OpenAPI 3.1 spec (JSON Schema 2020-12).

The spec is read where it lives (`$DISCORD_OPENAPI_SPEC`, else `<repo>/../shared/discord-api-spec/
openapi.json`); it is never copied into this repository.
"""

from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match, relevance
from referencing import Registry
from referencing.jsonschema import DRAFT202012

SPEC_URN = "urn:discord:openapi"
_API_PREFIX = re.compile(r"^/api/v\d+")
_METHODS = ("get", "put", "post", "patch", "delete")


def default_spec_path() -> Path:
    env = os.environ.get("DISCORD_OPENAPI_SPEC")
    if env:
        return Path(env)
    repo_root = Path(__file__).resolve().parents[2]
    return (repo_root / ".." / "shared" / "discord-api-spec" / "openapi.json").resolve()


class SpecViolation(AssertionError):
    def __init__(self, method: str, path: str, problems: list[str]) -> None:
        self.method, self.path, self.problems = method, path, problems
        super().__init__(
            f"{method} {path} violates Discord's API spec:\n  " + "\n  ".join(problems)
        )


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _top_error(validator: Draft202012Validator, instance: Any) -> ValidationError | None:
    """best_match's pick, taken back up to its top-level error: `_describe` then descends
    through unions with the discriminator rule of `_closest`."""
    error = best_match(validator.iter_errors(instance))
    while error is not None and error.parent is not None:
        error = error.parent
    return error


def _describe(error: ValidationError) -> str:
    """One line: the most specific failure, following anyOf/oneOf into the closest branch."""
    leaf = error
    while leaf.context:
        leaf = _closest(leaf.context)
    message = leaf.message
    if len(message) > 240:
        message = f"{message[:120]} … {message[-100:]}"
    text = f"{message} (at {leaf.json_path}"
    if not isinstance(leaf.validator_value, dict | list):
        text += f"; {leaf.validator}: {leaf.validator_value!r}"
    text += ")"
    if leaf is not error:
        text += f" [no alternative of the {error.validator} at {error.json_path} matched]"
    return text


def _closest(errors: list[ValidationError]) -> ValidationError:
    """The most specific error of the union branch that came closest. Branches whose
    discriminator (an enum/const direct key such as `type`) did not match are skipped, so a bad
    `data` in a type-4 callback is not explained by the type-8 branch."""
    branches: dict[Any, list[ValidationError]] = {}
    for error in errors:
        branches.setdefault(error.relative_schema_path[0], []).append(error)

    def discriminator(e: ValidationError) -> bool:
        return e.validator in ("enum", "const") and len(e.relative_path) == 1

    matched = [errs for errs in branches.values() if not any(map(discriminator, errs))]
    if matched:
        return min((e for errs in matched for e in errs), key=relevance)
    misses = [e for errs in branches.values() for e in errs if discriminator(e)]
    allowed: list[Any] = []
    for e in misses:
        values = e.validator_value if e.validator == "enum" else [e.validator_value]
        allowed += [v for v in values if v not in allowed]
    first = misses[0]
    return ValidationError(
        f"{first.instance!r} is not one of {allowed}",
        validator="enum",
        validator_value=allowed,
        instance=first.instance,
        path=first.relative_path,
        parent=first.parent,
    )


class SpecChecker:
    """Maps (method, concrete path) to the spec's operation and validates the JSON body."""

    def __init__(self, spec: dict[str, Any]) -> None:
        schemas = spec["components"]["schemas"]
        # discord.py sends ints in allowed_mentions.users/roles and message_reference: accept
        # non-negative integers wherever a snowflake string is expected (Discord does).
        schemas["SnowflakeType"] = {
            "anyOf": [schemas["SnowflakeType"], {"type": "integer", "minimum": 0}]
        }
        self.spec = spec
        self._registry: Registry = Registry().with_resource(
            SPEC_URN, DRAFT202012.create_resource(spec)
        )
        routes = []
        for template in spec["paths"]:
            regex = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
            literals = sum(1 for seg in template.split("/") if seg and not seg.startswith("{"))
            routes.append((re.compile(regex), literals, template))
        self._routes = sorted(routes, key=lambda r: -r[1])  # most literal segments first
        self._validators: dict[str, Draft202012Validator] = {}

    @classmethod
    @functools.cache
    def load(cls, path: Path | None = None) -> SpecChecker:
        """Load (once per path) the spec file; FileNotFoundError when it is missing."""
        return cls(json.loads(Path(path or default_spec_path()).read_text(encoding="utf-8")))

    def template_for(self, method: str, path: str) -> str | None:
        """The spec's path template for a concrete path (with or without /api/v10)."""
        bare = _API_PREFIX.sub("", path.split("?", 1)[0])
        for regex, _, template in self._routes:
            if regex.fullmatch(bare) and method.lower() in self.spec["paths"][template]:
                return template
        return None

    def check(self, method: str, path: str, body: Any) -> list[str]:
        """Problems with this request (empty if fine). A request without a body only needs an
        endpoint that exists (and no required body)."""
        method = method.lower()
        template = self.template_for(method, path)
        if template is None:
            return [f"{method.upper()} {path}: no such endpoint in the spec"]
        operation = self.spec["paths"][template][method]
        where = f"{method.upper()} {template} ({operation.get('operationId', '?')})"
        request_body = operation.get("requestBody")
        if body is None:
            if request_body and request_body.get("required"):
                return [f"{where}: a request body is required"]
            return []
        if not request_body or "application/json" not in request_body.get("content", {}):
            return [f"{where}: this endpoint takes no JSON body"]
        error = _top_error(self._validator(template, method), body)
        if error is None:
            return []
        return [f"{where}: {_describe(error)}"]

    def check_response(self, method: str, path: str, status: int, body: Any) -> list[str]:
        """Problems with a response body (the fake's own replies), by the operation's
        `responses` for that status (or its NXX class)."""
        method = method.lower()
        template = self.template_for(method, path)
        if template is None:
            return [f"{method.upper()} {path}: no such endpoint in the spec"]
        responses = self.spec["paths"][template][method].get("responses", {})
        key = next((k for k in (str(status), f"{status // 100}XX") if k in responses), None)
        where = f"{status} from {method.upper()} {template}"
        if key is None:
            return [f"{where}: status not in the spec"]
        pointer = _pointer("paths", template, method, "responses", key)
        if "$ref" in responses[key]:
            pointer = responses[key]["$ref"].removeprefix("#/")
            resolved = self._registry.resolver(SPEC_URN).lookup(f"#/{pointer}").contents
        else:
            resolved = responses[key]
        if "application/json" not in resolved.get("content", {}):
            return [] if body is None else [f"{where}: the spec has no JSON body here"]
        ref = f"{SPEC_URN}#/{pointer}/content/application~1json/schema"
        if ref not in self._validators:
            self._validators[ref] = Draft202012Validator({"$ref": ref}, registry=self._registry)
        error = _top_error(self._validators[ref], body)
        return [] if error is None else [f"{where}: {_describe(error)}"]

    def validate(self, method: str, path: str, body: Any) -> None:
        """Raise SpecViolation when `check` finds problems."""
        problems = self.check(method, path, body)
        if problems:
            raise SpecViolation(method.upper(), path, problems)

    def _validator(self, template: str, method: str) -> Draft202012Validator:
        key = f"{method} {template}"
        if key not in self._validators:
            pointer = _pointer("paths", template, method, "requestBody", "content")
            ref = f"{SPEC_URN}#/{pointer}/application~1json/schema"
            self._validators[key] = Draft202012Validator({"$ref": ref}, registry=self._registry)
        return self._validators[key]
