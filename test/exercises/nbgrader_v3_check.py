"""nbgrader's schema v3 metadata rules, and its checksum, over notebooks, in plain Python.

nbgrader itself is not installable on these machines, so this restates the rules of its
validator (nbgrader/nbgraderformat/v3.json and v3.py, MetadataValidatorV3.validate_nb) and its
compute_checksum (nbgrader/utils.py) from their source, independently of rnnlab's TypeScript.
When nbformat is importable, each notebook is also checked against nbformat's own schema.

Usage: python3 nbgrader_v3_check.py NOTEBOOK...   Prints one line per problem; exit 1 if any.
"""
import hashlib
import json
import re
import sys

ALLOWED = {"schema_version", "grade", "locked", "solution", "task", "grade_id", "points", "checksum", "cell_type"}
REQUIRED = ["schema_version", "grade", "locked", "solution"]


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def schema_errors(meta):
    """v3.json: types, ranges and keys (jsonschema draft 4)."""
    if not isinstance(meta, dict):
        return ["metadata.nbgrader is not an object"]
    version = meta.get("schema_version", 0)
    if version != 3 or isinstance(version, bool):
        return ["schema_version is %r, expected 3" % (version,)]
    errors = ["extra key %r" % k for k in sorted(set(meta) - ALLOWED)]
    errors += ["missing required key %r" % k for k in REQUIRED if k not in meta]
    errors += ["%s is %r, expected a boolean" % (k, meta[k]) for k in ("grade", "locked", "solution", "task") if k in meta and not isinstance(meta[k], bool)]
    if "grade_id" in meta and not (isinstance(meta["grade_id"], str) and re.search(r"^[a-zA-Z0-9_\-]*$", meta["grade_id"])):
        errors.append("grade_id %r does not match ^[a-zA-Z0-9_\\-]*$" % (meta["grade_id"],))
    if "points" in meta and not (is_number(meta["points"]) and meta["points"] >= 0):
        errors.append("points is %r, expected a number >= 0" % (meta["points"],))
    if "checksum" in meta and not (isinstance(meta["checksum"], str) and len(meta["checksum"]) == 32):
        errors.append("checksum %r is not a string of 32 characters" % (meta["checksum"],))
    if "cell_type" in meta and meta["cell_type"] not in ("raw", "code", "markdown"):
        errors.append("cell_type %r is not raw, code or markdown" % (meta["cell_type"],))
    return errors


def cell_errors(cell):
    """v3.py validate_cell: the schema, then nbgrader's own rules."""
    meta = cell.get("metadata", {}).get("nbgrader")
    if meta is None:
        return []
    errors = schema_errors(meta)
    if errors:
        return errors
    grade, solution, locked, task = meta["grade"], meta["solution"], meta["locked"], meta.get("task", False)
    if (grade or solution or locked) and not meta.get("grade_id"):
        errors.append("grade, solution or locked cell without a grade_id")
    if grade and "points" not in meta:
        errors.append("grade cell without points")
    if not task:
        if cell["cell_type"] == "markdown" and grade and not solution:
            errors.append("markdown grade cell that is not a solution cell")
        if cell["cell_type"] == "markdown" and not grade and solution:
            errors.append("markdown solution cell that is not a grade cell")
    elif cell["cell_type"] != "markdown":
        errors.append("task cell that is not markdown")
    return errors


def compute_checksum(cell):
    """utils.py compute_checksum."""
    meta = cell["metadata"]["nbgrader"]
    source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
    grade, solution = meta.get("grade", False), meta.get("solution", False)
    locked = False if solution else (True if grade else meta.get("locked", False))
    m = hashlib.md5()
    for part in (source, cell["cell_type"], str(grade), str(solution), str(locked), meta["grade_id"]):
        m.update(part.encode("utf-8"))
    if grade:
        m.update(str(float(meta["points"])).encode("utf-8"))
    return m.hexdigest()


def notebook_problems(path):
    with open(path, encoding="utf-8") as fh:
        nb = json.load(fh)
    problems = []
    try:
        import nbformat
        nbformat.validate(nbformat.from_dict(nb))
    except ImportError:
        pass
    except Exception as err:  # nbformat's ValidationError
        problems.append("nbformat: %s" % str(err).splitlines()[0])
    ids = set()
    for i, cell in enumerate(nb["cells"], 1):
        errors = cell_errors(cell)
        problems += ["cell %d: %s" % (i, e) for e in errors]
        meta = cell.get("metadata", {}).get("nbgrader")
        if errors or meta is None or not (meta["grade"] or meta["solution"] or meta["locked"]):
            continue
        if meta["grade_id"] in ids:
            problems.append("cell %d: duplicate grade id %s" % (i, meta["grade_id"]))
        ids.add(meta["grade_id"])
        if "checksum" in meta and meta["checksum"] != compute_checksum(cell):
            problems.append("cell %d (%s): stored checksum %s, nbgrader computes %s" % (i, meta["grade_id"], meta["checksum"], compute_checksum(cell)))
    return problems


def main(paths):
    bad = 0
    checksums = 0
    for path in paths:
        problems = notebook_problems(path)
        with open(path, encoding="utf-8") as fh:
            checksums += sum(1 for c in json.load(fh)["cells"] if "checksum" in c.get("metadata", {}).get("nbgrader", {}))
        for p in problems:
            print("%s: %s" % (path, p))
        bad += bool(problems)
    print("nbgrader v3 check: %d notebook(s), %d invalid, %d stored checksum(s) checked" % (len(paths), bad, checksums))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
