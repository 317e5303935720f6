"""`--state FILE`: load the store at start, save it (atomically) after changes and at exit.

Role: `app/lifecycle.py` owns one `StateKeeper`. A background thread saves at most every
`interval` seconds when the store changed, so a SIGKILL loses at most that window; the final
save happens on SIGTERM/SIGINT. Writes go to a temp file in the same directory, are fsynced,
then renamed over the target (and the directory fsynced), so a crash never leaves a torn file.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from syncer.emulator.store import gojson, snapshot
from syncer.emulator.store.state import Store


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class StateKeeper:
    def __init__(self, store: Store, path: Path, interval: float = 0.25) -> None:
        self.store = store
        self.path = path
        self.interval = interval
        self._saved_changes = -1
        self._pause = interval
        self._stop = threading.Event()
        self._save_lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="emulator-state", daemon=True)

    def load(self) -> bool:
        """Fill the store from the file when it exists; True if something was loaded."""
        if not self.path.exists():
            return False
        document = gojson.loads_lenient(self.path.read_bytes())
        snapshot.load(self.store, document)
        self._saved_changes = self.store.changes
        return True

    def start(self) -> None:
        self._thread.start()

    def save_if_changed(self) -> None:
        with self._save_lock:
            changes = self.store.changes
            if changes == self._saved_changes:
                return
            started = time.monotonic()
            atomic_write(self.path, snapshot.encode_state_file(self.store))
            self._saved_changes = changes
            # A big store takes a while to write: never spend more than a third of the time saving.
            self._pause = max(self.interval, 2 * (time.monotonic() - started))

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self.save_if_changed()

    def _loop(self) -> None:
        while not self._stop.wait(self._pause):
            try:
                self.save_if_changed()
            except OSError as exc:  # keep serving; report once per failure
                print(f"emulator: cannot save state: {exc}", file=sys.stderr, flush=True)
