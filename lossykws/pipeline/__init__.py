"""The stages put together for a command: training from folders (train), export of a run (export),
and the end-to-end demo (demo). The CLI prints what these return."""
