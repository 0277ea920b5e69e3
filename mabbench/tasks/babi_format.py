"""The bAbI text format (Weston et al. 2015, tasks_1-20_v1-2): read, write, and
turn into question-answer examples.

A file is a run of stories; line ids restart at 1 with each story::

    1 Mary moved to the bathroom.
    2 John went to the hallway.
    3 Where is Mary? \tbathroom\t1

A question line holds the question, a space, a tab, the answer, a tab and the
ids of its supporting facts. ``parse`` and ``format_stories`` are inverses on
files in this format.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

WORD = re.compile(r"[A-Za-z0-9']+")


@dataclass(frozen=True)
class Statement:
    id: int
    text: str


@dataclass(frozen=True)
class Question:
    id: int
    text: str
    answer: str  # one word, or a comma-joined list (tasks 8 and 19): one class either way
    supports: tuple[int, ...] = field(default=())


Story = list  # list[Statement | Question], ids 1, 2, 3 ...


def parse(text: str, where: str = "<text>") -> list[Story]:
    """Stories of a bAbI file. Raises ValueError naming ``where`` and the line on bad input."""
    stories: list[Story] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        head, _, rest = raw.partition(" ")
        if not head.isdigit():
            raise ValueError(f"{where}:{number}: expected '<id> <sentence>', got {raw!r}")
        line_id = int(head)
        if line_id == 1:
            stories.append([])
        elif not stories or line_id != stories[-1][-1].id + 1:
            raise ValueError(f"{where}:{number}: line id {line_id} does not follow the story")
        if "\t" in rest:
            parts = rest.split("\t")
            if len(parts) < 2:
                raise ValueError(f"{where}:{number}: a question needs '\\t<answer>'")
            supports = tuple(int(s) for s in parts[2].split()) if len(parts) > 2 else ()
            stories[-1].append(Question(line_id, parts[0].strip(), parts[1].strip(), supports))
        else:
            stories[-1].append(Statement(line_id, rest.strip()))
    return stories


def format_stories(stories: list[Story]) -> str:
    """The file text of ``stories``, exactly as the official files write it."""
    lines = []
    for story in stories:
        for line in story:
            if isinstance(line, Question):
                supports = " ".join(str(s) for s in line.supports)
                lines.append(f"{line.id} {line.text} \t{line.answer}\t{supports}")
            else:
                lines.append(f"{line.id} {line.text}")
    return "\n".join(lines) + "\n"


def tokens(sentence: str) -> list[str]:
    """Lower-case words, punctuation dropped: 'Where is Mary?' -> ['where', 'is', 'mary']."""
    return [word.lower() for word in WORD.findall(sentence)]


@dataclass
class Example:
    """One question with the statements of its story before it (oldest first)."""

    story: list[list[str]]
    query: list[str]
    answer: str
    story_index: int  # which story of the file, to keep a story's questions in one split


def examples(stories: list[Story]) -> list[Example]:
    out = []
    for index, story in enumerate(stories):
        memory: list[list[str]] = []
        for line in story:
            if isinstance(line, Question):
                out.append(Example(list(memory), tokens(line.text), line.answer, index))
            else:
                memory.append(tokens(line.text))
    return out
