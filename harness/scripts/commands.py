#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""commands.py LIST SCRIPT...: external commands of the harness scripts.

Reads the host-side shell scripts, takes the first word of every simple
command (after pipes, &&, ||, ;, $( and the prefixes env, nice, timeout,
ccache, exec, command), and prints each word that names an executable on
this machine (not a builtin, keyword or function of the scripts) but is
missing from LIST, the harness's one list of the commands it calls. Exits
1 when any is missing. Heredoc bodies and comments are skipped.
"""
import os
import re
import shutil
import sys

KEYWORDS = {"if", "then", "else", "elif", "fi", "for", "while", "until", "do",
            "done", "case", "esac", "in", "function", "select", "time", "!",
            "{", "}", "[[", "]]", "(", ")", "return", "local", "export",
            "shift", "set", "unset", "declare", "readonly", "trap", "wait",
            "read", "mapfile", "shopt", "cd", "echo", "printf", "true",
            "false", "test", "[", ".", "source", "exit", "kill", "eval",
            "break", "continue", "type", "pwd", "umask", "hash", "let"}
PREFIXES = {"env", "nice", "timeout", "exec", "command", "ccache", "chroot",
            "then", "do", "else", "elif", "if", "while", "until", "!", "time"}
SPLIT = re.compile(r"\|\||&&|[|;`]|\$\(|\(|\)|\{|\}")


def unquote(text):
    """Empty single-quoted strings (awk programs); keep every quoted
    newline inside its string, so a string spanning lines stays one."""
    out, state = [], None
    for ch in text:
        if state == "'":
            if ch == "'":
                state = None
                out.append(ch)
            continue
        if state == '"':
            if ch == '"':
                state = None
            out.append(" " if ch == "\n" else ch)
            continue
        if ch in "'\"":
            state = ch
        out.append(ch)
    return "".join(out)


def words_of(path):
    funcs, cmds = set(), set()
    heredoc = None
    kept = []
    for line in open(path, encoding="utf-8"):
        if heredoc:
            if line.strip() == heredoc:
                heredoc = None
            continue
        m = re.search(r"<<-?\s*['\"]?([A-Za-z0-9_]+)['\"]?", line)
        if m:
            heredoc = m.group(1)
        kept.append(re.sub(r"(^|\s)#.*", "", line))
    text = unquote("".join(kept).replace("\\\n", " "))
    for line in text.splitlines():
        m = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(\)", line)
        if m:
            funcs.add(m.group(1))
        for part in SPLIT.split(line):
            toks = part.split()
            skip_opts = False
            while toks:
                t = toks[0]
                if re.match(r"^[A-Za-z_][A-Za-z0-9_]*(\[.*\])?\+?=", t):
                    toks.pop(0)
                    # NAME="several words": skip to the closing quote.
                    if t.count('"') == 1:
                        while toks and toks[0].count('"') != 1:
                            toks.pop(0)
                        if toks:
                            toks.pop(0)
                elif t in PREFIXES:
                    toks.pop(0)
                    skip_opts = t in ("nice", "timeout", "env", "chroot")
                elif skip_opts and (t.startswith("-") or
                                    re.match(r"^[0-9.]+[smhd]?$", t)):
                    toks.pop(0)
                else:
                    break
            if toks:
                cmds.add(toks[0])
    return funcs, cmds


def main():
    listed = set()
    for line in open(sys.argv[1], encoding="utf-8"):
        line = line.split("#")[0].strip()
        if line:
            listed.add(line.split()[0])
    funcs, cmds = set(), set()
    for path in sys.argv[2:]:
        f, c = words_of(path)
        funcs |= f
        cmds |= c
    missing = []
    for c in sorted(cmds - funcs - KEYWORDS):
        if not re.match(r"^[A-Za-z][A-Za-z0-9_.+-]*$", c):
            continue
        if shutil.which(c, path=os.environ.get("PATH")) and c not in listed:
            missing.append(c)
    for c in missing:
        print(f"command not in {sys.argv[1]}: {c}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
