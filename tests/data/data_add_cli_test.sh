#!/bin/sh
# fogline data add: a YOLO dataset with bad annotations is summarised with every problem's file
# and line; --strict turns them into a failure. It is registered as a content-hashed version:
# the same content again is the same version, changed content a new one; data list/show.
set -eu
fogline="$1"
d="$(mktemp -d)"
FOGLINE_HOME="$(mktemp -d)"
export FOGLINE_HOME
trap 'rm -rf "$d" "$FOGLINE_HOME"' EXIT
mkdir -p "$d/images/cam1" "$d/labels/cam1"
# A 2x2 PNG (valid file, real header).
printf '\211PNG\r\n\032\n\000\000\000\rIHDR\000\000\000\002\000\000\000\002\010\002\000\000\000\375\324\232s\000\000\000\026IDATx\234c\370\377\377?\003\003\003\003\303\377\377\377\001\000$\370\005\373\275\243\217\333\000\000\000\000IEND\256B`\202' > "$d/images/cam1/a.png"
printf 'person\ncar\n' > "$d/classes.txt"
printf '0 0.5 0.5 0.5 0.5\n7 0.5 0.5 0.1 0.1\n' > "$d/labels/cam1/a.txt"
"$fogline" data add demo "$d" --slice camera=folder:0 > "$d/out.txt"
grep -q "format    yolo (detection)" "$d/out.txt"
grep -q "slice     camera: cam1=1" "$d/out.txt"
grep -q "labels/cam1/a.txt:2: unknown_class: class 7" "$d/out.txt"
grep -q "issues    1 (unknown_class 1)" "$d/out.txt"
if "$fogline" data add demo "$d" --strict > /dev/null; then echo "--strict accepted bad annotations"; exit 1; fi
grep -q "registry  added    demo@1 (sha256:" "$d/out.txt"
"$fogline" data add demo "$d" --json > "$d/again.json"
grep -q '"content_sha256"' "$d/again.json"
grep -q '"ref": "demo@1"' "$d/again.json"
grep -q '"created": false' "$d/again.json"
printf '1 0.5 0.5 0.2 0.2
' > "$d/labels/cam1/a.txt"   # fixed annotation: new content
"$fogline" data add demo "$d" --slice camera=folder:0 | grep -q "registry  added    demo@2"
"$fogline" data add other "$d" --dry-run | grep -vq "registry"
"$fogline" data list > "$d/list.txt"
grep -q "^demo  *2 2 " "$d/list.txt"
if grep -q "^other" "$d/list.txt"; then echo "--dry-run registered"; exit 1; fi
"$fogline" data show demo > "$d/show.txt"
grep -q "issues    1 (unknown_class 1)" "$d/show.txt"   # demo@1 keeps its count
grep -q "issues    0" "$d/show.txt"
"$fogline" data show demo@2 --json | grep -q '"cam1": 1'
if "$fogline" data show demo@9 2>/dev/null; then echo "demo@9 exists"; exit 1; fi
echo ok
