"""What an emptied embedded AWS is put back to: moto's backends, as they were when taken.

The tests empty the embedded AWS before each of several hundred tests: a moto reset, then the table, the
SES sender and the failure queue made again. Made through the API that took about 17 ms (four calls,
CreateTable the most); put back from a snapshot it takes under 1 ms, and what is put back is what those
calls made, in every service they touched (the encrypted table's KMS key too). A snapshot is every
backend moto holds, pickled, taken once just after a reset and the resources first made; each restore
unpickles a fresh copy, so nothing written after one restore reaches the next.

Two kinds of object pickle refuses: moto's locks, which a restore makes anew, and the `cryptography`
library's keys (the KMS key's RSA key), which are immutable and so shared by the snapshot and every
restore. A backend that cannot be pickled for another reason makes `take` return None, and the caller
makes its resources through the API as before.
"""

import io
import pickle
import threading

_LOCK_TYPES = {type(threading.Lock()): threading.Lock, type(threading.RLock()): threading.RLock}


def _is_shared(obj):
    return type(obj).__module__.startswith("cryptography.")


class _Pickler(pickle.Pickler):
    def __init__(self, file, shared):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.shared = shared

    def reducer_override(self, obj):
        new_lock = _LOCK_TYPES.get(type(obj))
        return (new_lock, ()) if new_lock is not None else NotImplemented

    def persistent_id(self, obj):
        if not _is_shared(obj):
            return None
        self.shared.append(obj)
        return len(self.shared) - 1


class _Unpickler(pickle.Unpickler):
    def __init__(self, data, shared):
        super().__init__(io.BytesIO(data))
        self.shared = shared

    def persistent_load(self, index):
        return self.shared[index]


class Snapshot:
    def __init__(self, backends):
        self.shared = []
        self.pickled = []  # [(moto's BackendDict of a service, {account: pickled backends})]
        for service in backends:
            accounts = {}
            for account, backend in service.items():
                buffer = io.BytesIO()
                _Pickler(buffer, self.shared).dump(backend)
                accounts[account] = buffer.getvalue()
            self.pickled.append((service, accounts))


def take():
    """Every backend moto holds now, or None when one cannot be pickled."""
    from moto.core.base_backend import BackendDict, backend_lock

    with backend_lock:
        try:
            return Snapshot(list(BackendDict._instances))
        except (pickle.PicklingError, TypeError, AttributeError):
            return None


def restore(snapshot):
    """Put moto's backends back as they were when `snapshot` was taken (after a moto reset, which has
    emptied every backend)."""
    from moto.core.base_backend import BackendDict, backend_lock

    with backend_lock:
        for service, accounts in snapshot.pickled:
            service.clear()
            for account, pickled in accounts.items():
                service[account] = _Unpickler(pickled, snapshot.shared).load()
            if service not in BackendDict._instances:
                BackendDict._instances.append(service)  # so the next reset empties it again
