#!/usr/bin/env python3
"""Reads a Dockerfile the way Docker does, so that scripts/image-test runs the image's own
instructions and scripts/check-deploy checks its own settings, instead of copies that could
drift. Imported by check-deploy (`final_stage`); from the shell:

    scripts/dockerfile.py [--file F] runs STAGE        RUN commands of STAGE, NUL-separated
    scripts/dockerfile.py [--file F] arg STAGE NAME    default of ARG NAME (global ARGs too)
    scripts/dockerfile.py [--file F] env STAGE         ENV of STAGE, one NAME=VALUE a line
    scripts/dockerfile.py [--file F] user STAGE        the last USER of STAGE
    scripts/dockerfile.py [--file F] exec STAGE INSTR  ENTRYPOINT / HEALTHCHECK's CMD, NUL-separated argv
    scripts/dockerfile.py [--file F] copy-from STAGE   COPY --from instructions: FROM_STAGE SRC DEST
    scripts/dockerfile.py [--file F] packages STAGE    packages the stage's `apt-get install` lines name

Only what this project's Dockerfile uses is supported (no heredocs, no escape directive, ENV in
the KEY=VALUE form); anything else is an error rather than a silent misreading.
"""
import argparse
import json
import re
import shlex
import sys


def instructions(text):
    """(stage, keyword, arguments) for every instruction, continuation lines joined and comment
    lines dropped (Docker drops comments inside a continued instruction as well)."""
    stage, pending, out = None, "", []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and pending):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = (pending + line).strip(), ""
        if not line:
            continue
        keyword, _, args = line.partition(" ")
        keyword, args = keyword.upper(), args.strip()
        if "<<" in args and keyword == "RUN":
            sys.exit("dockerfile: heredocs are not supported")
        if keyword == "FROM":
            parts = args.split()
            stage = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else parts[0]
        out.append((stage, keyword, args))
    return out


def substitute(value, variables):
    """${NAME}, ${NAME:-default}, ${NAME-default} and $NAME, as Docker (and a shell, and
    compose) expand them; `variables` maps a name to its value, None or absent when unset."""
    def repl(m):
        name = m.group(1) or m.group(4)
        found = variables.get(name)
        if m.group(2) == ":-" and not found or m.group(2) == "-" and found is None:
            return m.group(3)
        return found or ""
    return re.sub(r"\$(?:\{(\w+)(?:(:?-)([^}]*))?\}|(\w+))", repl, str(value))


def stage_variables(instrs, stage):
    variables = {}
    for s, keyword, args in instrs:
        if keyword == "ARG" and (s is None or s == stage):
            name, _, default = args.partition("=")
            variables[name] = substitute(default, variables)
        elif keyword == "ENV" and s == stage:
            for token in shlex.split(args):
                name, eq, value = token.partition("=")
                if not eq:
                    sys.exit(f"dockerfile: ENV {args!r} is not in the KEY=VALUE form")
                variables[name] = substitute(value, variables)
    return variables


def command_argv(args):
    """ENTRYPOINT / CMD argv: the exec form (a JSON array) as it is; the shell form, as Docker
    runs it, through /bin/sh -c."""
    try:
        argv = json.loads(args)
        if isinstance(argv, list):
            return [str(a) for a in argv]
    except json.JSONDecodeError:
        pass
    return ["/bin/sh", "-c", args]


def healthcheck_command(args):
    """HEALTHCHECK [--option=value ...] CMD command -> the command; None for HEALTHCHECK NONE."""
    if args.strip().upper() == "NONE":
        return None
    return re.sub(r"^(--\S+\s+)*CMD\s+", "", args)


class FinalStage:
    """What the image runs with: the last stage's ENV, EXPOSE, ENTRYPOINT, CMD and HEALTHCHECK."""

    def __init__(self, text):
        instrs = instructions(text)
        stage = instrs[-1][0] if instrs else None
        own = [(k, a) for s, k, a in instrs if s == stage]
        variables = stage_variables(instrs, stage)
        env_names = [t.partition("=")[0] for k, a in own if k == "ENV" for t in shlex.split(a)]
        self.env = {name: variables[name] for name in env_names}
        self.expose = [substitute(w, variables).split("/")[0] for k, a in own if k == "EXPOSE" for w in a.split()]
        self.entrypoint, self.cmd, self.healthcheck = [], [], None
        for keyword, args in own:
            if keyword == "ENTRYPOINT":
                self.entrypoint, self.cmd = command_argv(args), []  # a new ENTRYPOINT clears CMD
            elif keyword == "CMD":
                self.cmd = command_argv(args)
            elif keyword == "HEALTHCHECK":
                command = healthcheck_command(args)
                self.healthcheck = None if command is None else command_argv(command)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", default="Dockerfile")
    parser.add_argument("field")
    parser.add_argument("stage")
    parser.add_argument("name", nargs="?")
    opts = parser.parse_args()
    with open(opts.file) as f:
        instrs = instructions(f.read())
    if opts.stage not in {s for s, _, _ in instrs}:
        sys.exit(f"dockerfile: no stage {opts.stage!r} in {opts.file}")
    own = [(k, a) for s, k, a in instrs if s == opts.stage]

    if opts.field == "runs":
        sys.stdout.write("".join(a + "\0" for k, a in own if k == "RUN"))
    elif opts.field == "arg":
        value = stage_variables(instrs, opts.stage).get(opts.name)
        if value is None:
            sys.exit(f"dockerfile: no ARG {opts.name} in stage {opts.stage}")
        print(value)
    elif opts.field == "env":
        names = [t.partition("=")[0] for k, a in own if k == "ENV" for t in shlex.split(a)]
        variables = stage_variables(instrs, opts.stage)
        for name in names:
            print(f"{name}={variables[name]}")
    elif opts.field == "user":
        users = [a for k, a in own if k == "USER"]
        if not users:
            sys.exit(f"dockerfile: stage {opts.stage} sets no USER")
        print(users[-1])
    elif opts.field == "exec":
        found = [a for k, a in own if k == opts.name]
        if not found:
            sys.exit(f"dockerfile: stage {opts.stage} has no {opts.name}")
        args = found[-1]
        if opts.name == "HEALTHCHECK":
            args = healthcheck_command(args)
            if args is None:
                sys.exit(f"dockerfile: stage {opts.stage} turns the health check off")
        sys.stdout.write("".join(a + "\0" for a in command_argv(args)))
    elif opts.field == "copy-from":
        for k, a in own:
            if k == "COPY":
                m = re.fullmatch(r"--from=(\S+)\s+(\S+)\s+(\S+)", a)
                if not m:
                    sys.exit(f"dockerfile: COPY {a!r} is not `--from=STAGE SRC DEST`")
                print(*m.groups())
    elif opts.field == "packages":
        for k, a in own:
            if k != "RUN":
                continue
            for command in re.split(r"&&|;", a):
                words = command.split()
                if words[:2] == ["apt-get", "install"]:
                    print("\n".join(w for w in words[2:] if not w.startswith("-")))
    else:
        sys.exit(f"dockerfile: unknown field {opts.field}")


if __name__ == "__main__":
    main()
