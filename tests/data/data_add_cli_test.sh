#!/bin/sh
# fogline data add: a YOLO dataset with bad annotations is summarised with every problem's file
# and line; --strict turns them into a failure.
set -eu
fogline="$1"
d="$(mktemp -d)"
trap 'rm -rf "$d"' EXIT
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
"$fogline" data add demo "$d" --json | grep -q '"content_sha256"'
echo ok
