#!/usr/bin/env bash
# Nightly backup (deploy/systemd/aduan-backup.timer): the database first, then the uploads, so a
# file uploaded in between is an extra file in the copy, never a row without its file
# (docs/backup.md). Reads DATABASE_URL, MEDIA_ROOT and ADUAN_BACKUP_DIR from the environment file.
set -euo pipefail
: "${DATABASE_URL:?}" "${MEDIA_ROOT:?}" "${ADUAN_BACKUP_DIR:?}"
umask 077
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$ADUAN_BACKUP_DIR"
pg_dump --format=custom --no-owner --file="$ADUAN_BACKUP_DIR/aduan-$stamp.dump" --dbname="$DATABASE_URL"
sha256sum "$ADUAN_BACKUP_DIR/aduan-$stamp.dump" > "$ADUAN_BACKUP_DIR/aduan-$stamp.dump.sha256"
if [ -d "$ADUAN_BACKUP_DIR/media-latest" ]; then
  rsync -a --delete --link-dest="$ADUAN_BACKUP_DIR/media-latest" "$MEDIA_ROOT/" "$ADUAN_BACKUP_DIR/media-$stamp/"
else
  rsync -a "$MEDIA_ROOT/" "$ADUAN_BACKUP_DIR/media-$stamp/"
fi
ln -sfn "media-$stamp" "$ADUAN_BACKUP_DIR/media-latest"
# Keep 14 nightly dumps and media copies here; the off-site copy keeps the longer schedule.
ls -1d "$ADUAN_BACKUP_DIR"/aduan-*.dump | sort | head -n -14 | while read -r old; do rm -f "$old" "$old.sha256"; done
ls -1d "$ADUAN_BACKUP_DIR"/media-2* | sort | head -n -14 | xargs -r rm -rf
echo "backup $stamp done"
