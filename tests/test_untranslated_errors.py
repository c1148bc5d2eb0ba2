"""Sentences a person reads from a service error go through the catalogs (issue 14): a PracticeError-family exception
(NotFound, PermissionDenied, InvalidInput, Conflict, DiskProblem and the project's subclasses of them) raised in
practice/services or practice/state with a bare English string as its message would reach a French reader in
English, and the catalog check could not see it. This walks the code's syntax trees and names each such raise, the
message given directly, through a module constant, or through a local name the same function builds it in
(`msg = f"..."; raise InvalidInput(msg)`)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "practice"
SCANNED = (PACKAGE / "services", PACKAGE / "state")
BASES = {"PracticeError", "NotFound", "PermissionDenied", "InvalidInput", "Conflict", "DiskProblem"}
# Calls whose string arguments are translated (or kept in words and translated when read).
TRANSLATING = {"_", "lazy", "ngettext", "N_", "Words", "W"}


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def error_family() -> set[str]:
    """The names of the error classes people read: the bases, and every class of the app deriving from one of them."""
    classes: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                classes.setdefault(node.name, set()).update(_name(base) for base in node.bases)
    family = set(BASES)
    grew = True
    while grew:
        grew = False
        for name, bases in classes.items():
            if name not in family and bases & family:
                family.add(name)
                grew = True
    return family


def _bare_text(node: ast.AST) -> bool:
    """Whether the expression makes a sentence of English words outside any translating call: a literal, an
    f-string, a concatenation, a `.format` or a `str()` of one (a dictionary key or a comparison is no sentence)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any(char.isalpha() for char in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_bare_text(part) for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.Call):
        if _name(node.func) in TRANSLATING:
            return False
        return _bare_text(node.func) or (_name(node.func) == "str" and any(_bare_text(arg) for arg in node.args))
    if isinstance(node, ast.Attribute):
        return _bare_text(node.value)
    if isinstance(node, ast.Subscript):
        return _bare_text(node.value)
    if isinstance(node, ast.IfExp):
        return _bare_text(node.body) or _bare_text(node.orelse)
    if isinstance(node, (ast.BinOp, ast.BoolOp)):
        return any(_bare_text(child) for child in ast.iter_child_nodes(node))
    return False


def _constants(tree: ast.Module) -> dict[str, ast.AST]:
    """The module's top-level `NAME = value` assignments."""
    return {target.id: node.value for node in tree.body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)}


def _untranslated_constant(node: ast.AST, constants: dict[str, ast.AST]) -> bool:
    """Whether the message is a module constant holding a sentence that is not translated where it is used: a bare
    literal, or one marked with N_ (which only marks it for the catalog: the raise must still say `_(CONSTANT)`)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        node = node.func.value
    if not isinstance(node, ast.Name) or node.id not in constants:
        return False
    value = constants[node.id]
    if isinstance(value, ast.Call) and _name(value.func) == "N_":
        return True
    return _bare_text(value)


def _local_texts(tree: ast.Module) -> dict[int, dict[str, list[ast.AST]]]:
    """For each call inside a function (by id), the values the function assigns to each of its local names
    (`msg = f"..."`, `msg += "..."`, `msg: str = "..."`): a message built in a local before `raise X(msg)`."""
    found: dict[int, dict[str, list[ast.AST]]] = {}
    for func in ast.walk(tree):  # outer functions first: an inner function's calls end up with its own locals
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        local: dict[str, list[ast.AST]] = {}
        for node in ast.walk(func):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name):
                            # a tuple unpacked from a tuple: each name its own value
                            value = node.value
                            if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and \
                                    len(target.elts) == len(value.elts) and name in target.elts:
                                value = value.elts[target.elts.index(name)]
                            local.setdefault(name.id, []).append(value)
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and isinstance(node.target, ast.Name) and \
                    node.value is not None:
                local.setdefault(node.target.id, []).append(node.value)
        for node in ast.walk(func):
            if isinstance(node, ast.Call):
                found[id(node)] = local
    return found


def _untranslated_local(node: ast.AST, local: dict[str, list[ast.AST]]) -> bool:
    """Whether the message is a local name the function gives a bare sentence (`msg = f"No job {name}."`)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        node = node.func.value
    return isinstance(node, ast.Name) and any(_bare_text(value) for value in local.get(node.id, []))


def untranslated_raises() -> list[str]:
    """Each place in the scanned code where an error of the family is made with a bare sentence (raised there or
    kept to be raised later)."""
    family = error_family()
    found = []
    for folder in SCANNED:
        for path in sorted(folder.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            constants, local_texts = _constants(tree), _local_texts(tree)
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and _name(node.func) in family):
                    continue
                messages = list(node.args[:1]) + [kw.value for kw in node.keywords if kw.arg == "message"]
                local = local_texts.get(id(node), {})
                if any(_bare_text(message) or _untranslated_constant(message, constants)
                       or _untranslated_local(message, local) for message in messages):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {_name(node.func)}(...) made with an "
                                 "untranslated sentence; wrap it in _() (placeholders: _(\"... {x}\").format(x=...))")
    return sorted(found)


def test_the_error_family_is_found():
    family = error_family()
    assert {"InvalidInput", "TooManyAttempts", "BackupError", "PdfRefused"} <= family


def test_the_scanner_tells_translated_from_bare():
    def bare(source: str) -> bool:
        return _bare_text(ast.parse(source, mode="eval").body)
    assert bare('"That account does not exist."')
    assert bare('f"No job {name}."')
    assert bare('"Could not read: " + str(err)')
    assert bare('"No job {name}.".format(name=name)')
    assert not bare('_("No job {name}.").format(name=name)')
    assert not bare('_("Could not read: {error}").format(error=str(err))')
    assert not bare('str(err)')
    assert not bare('message')
    assert not bare('pipeline_gone(a["pipeline"])')
    assert not bare('_("a") if what == "name" else _("b")')
    assert bare('problem or "There are no saved rules."')
    assert bare('"Could not draw: " + str(reason or "it took too long")')


def test_the_scanner_follows_a_message_built_in_a_local_name():
    def found(source: str) -> bool:
        tree = ast.parse(source)
        local_texts = _local_texts(tree)
        call = next(node for node in ast.walk(tree) if isinstance(node, ast.Call) and _name(node.func) == "InvalidInput")
        return _untranslated_local(call.args[0], local_texts[id(call)])
    assert found('def f(name):\n    msg = f"No job {name}."\n    raise InvalidInput(msg)')
    assert found('def f(name):\n    msg = _("No job.")\n    msg += " Try again."\n    raise InvalidInput(msg)')
    assert found('def f(name):\n    msg = "No job {name}."\n    raise InvalidInput(msg.format(name=name))')
    assert not found('def f(name):\n    msg = _("No job {name}.").format(name=name)\n    raise InvalidInput(msg)')
    assert not found('def f(err):\n    msg = str(err)\n    raise InvalidInput(msg)')
    assert not found('def f(name):\n    msg = "x"\n    def g():\n        msg = _("No job.")\n'
                     '        raise InvalidInput(msg)')


def test_service_errors_are_raised_with_translated_sentences():
    found = untranslated_raises()
    assert not found, "\n".join(found)
