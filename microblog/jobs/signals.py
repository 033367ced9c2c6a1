"""What other parts of the app may listen to: a task's progress, its end.

The job layer knows nothing about notifications or WebSockets; a module that
does connects a receiver here (``task_finished.connect(notify_owner)``) and is
told, in the worker's app context, after the row has been committed. The
sender is the app; the keyword arguments are ``task_id``, ``user_id`` and
``progress`` (for ``task_progress``) or ``error`` (for ``task_failed``).
"""

from blinker import Namespace

_signals = Namespace()

task_progress = _signals.signal("task-progress")
task_finished = _signals.signal("task-finished")
task_failed = _signals.signal("task-failed")
