"""The cluster examples in src/grading/cluster/ parse and run the Slurm test's commands.

python3 test/slurm/check_cluster_examples.py  (run by test:slurm and by cluster-examples.test.ts)

Kubernetes and GitHub Actions cannot run here, so this checks what can be: each YAML file
parses; the Indexed Job's pods, the matrix's jobs and test/slurm/run.sh's array tasks run one
`npm run --silent grade -- <class> --shard "<index>/<n>" --jobs 1 --out <dir>/shard-<index>`,
differing only in where the index comes from; n matches the number of pods or matrix entries;
and each merges with `npm run --silent grade:merge -- <dir>/shard-* --out <dir>`.
"""
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
INDEX = r"(?P<index>\\?\$SLURM_ARRAY_TASK_ID|\$JOB_COMPLETION_INDEX|\$\{\{ matrix\.shard \}\})"
GRADE = re.compile(
    r'npm run --silent grade -- (?P<klass>"?[^"\s]+"?) --shard "' + INDEX + r'/(?P<n>\$SHARDS|\d+)" --jobs 1 --out (?P<out>"?(?:\$\{\{ [^}]* \}\}|[^"\s])+"?)'
)
MERGE = re.compile(r'npm run --silent grade:merge -- (?P<shards>"?[^\s]*"?/shard-\*) --out (?P<out>"?[^"\s]+"?)')


def fail(message):
    print(f"check_cluster_examples: {message}", file=sys.stderr)
    sys.exit(1)


def grade_command(text, where, index_source):
    found = [m for m in GRADE.finditer(text)]
    if len(found) != 1:
        fail(f"{where}: expected one `npm run --silent grade -- <class> --shard \"<index>/<n>\" --jobs 1 --out <dir>/shard-<index>`, found {len(found)}")
    m = found[0]
    index = m["index"].lstrip("\\")
    if index != index_source:
        fail(f"{where}: expected the shard index from {index_source}, got {index}")
    if not m["out"].strip('"').replace("\\", "").endswith(f"shard-{index}"):
        fail(f"{where}: expected the output folder to end in shard-{index}, got {m['out']}")
    return m


def merge_command(text, where):
    if not MERGE.search(text):
        fail(f"{where}: expected `npm run --silent grade:merge -- <dir>/shard-* --out <dir>`")


def main():
    run_sh = (ROOT / "test/slurm/run.sh").read_text()
    grade_command(run_sh, "test/slurm/run.sh", "$SLURM_ARRAY_TASK_ID")
    merge_command(run_sh, "test/slurm/run.sh")
    if "--array=0-$((SHARDS - 1))" not in run_sh:
        fail("test/slurm/run.sh: expected sbatch --array=0-$((SHARDS - 1))")

    docs = ROOT / "src/grading/cluster"
    (job,) = yaml.safe_load_all((docs / "grade-indexed-job.yaml").read_text())
    if job.get("kind") != "Job" or job["spec"].get("completionMode") != "Indexed":
        fail("grade-indexed-job.yaml: expected a Job with completionMode: Indexed")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    m = grade_command(" ".join(container["args"]), "grade-indexed-job.yaml", "$JOB_COMPLETION_INDEX")
    if int(m["n"]) != job["spec"]["completions"]:
        fail(f"grade-indexed-job.yaml: --shard i/{m['n']} but completions: {job['spec']['completions']}")
    (merge_job,) = yaml.safe_load_all((docs / "grade-merge-job.yaml").read_text())
    (merge_container,) = merge_job["spec"]["template"]["spec"]["containers"]
    merge_command(" ".join(merge_container["args"]), "grade-merge-job.yaml")

    workflow = yaml.safe_load((docs / "github-actions-grade.yml").read_text())
    shard_job = workflow["jobs"]["shard"]
    runs = " ".join(step.get("run", "") for step in shard_job["steps"])
    m = grade_command(runs, "github-actions-grade.yml", "${{ matrix.shard }}")
    matrix = shard_job["strategy"]["matrix"]["shard"]
    if matrix != list(range(int(m["n"]))):
        fail(f"github-actions-grade.yml: --shard i/{m['n']} but the matrix is {matrix}")
    merge = workflow["jobs"]["merge"]
    if merge.get("needs") != "shard":
        fail("github-actions-grade.yml: expected the merge job to need the shard job")
    merge_command(" ".join(step.get("run", "") for step in merge["steps"]), "github-actions-grade.yml")
    print("cluster examples: the Indexed Job, the Actions matrix and the Slurm array run the same grade and merge commands")


main()
