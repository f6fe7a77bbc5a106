"""Registering the native messaging host with browsers: `rolecall install` and `uninstall`.

`table` says where manifests go per OS, browser and scope; `launcher` writes the one
executable they name; `sandbox` copies the host into a Flatpak browser's app directory;
`manifests` writes and removes them (`registry` on Windows); `selection` turns
command-line options into targets; `probe` talks to a host the way a browser does (used
by `rolecall doctor`); `commands` adds the subcommands.
"""
