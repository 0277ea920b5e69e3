"""A seeded generator of bAbI-style stories (tasks 1, 2, 3 and 6) in the official format.

It simulates the bAbI world (four people, six places, three objects) with the
official tasks' vocabulary and question forms, so the files it writes look
like, and are read by the same parser as, tasks_1-20_v1-2/en/. The same seed
always gives the same text (``random.Random`` only; no global state).

    1 Mary moved to the bathroom.
    2 Mary got the football there.
    3 Mary went to the garden.
    4 Where is the football? \tgarden\t2 3
"""
from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field
from typing import Callable, Optional

from mabbench.tasks.babi_format import Question, Statement, Story, format_stories

PEOPLE = ("Mary", "John", "Daniel", "Sandra")
PLACES = ("bathroom", "hallway", "garden", "office", "bedroom", "kitchen")
OBJECTS = ("football", "apple", "milk")
MOVES = ("moved to", "went to", "journeyed to", "travelled to", "went back to")
GETS = ("got", "picked up", "grabbed", "took")
DROPS = ("dropped", "discarded", "put down", "left")

# Official file stems (tasks_1-20_v1-2/en/qa<N>_<name>_{train,test}.txt).
TASK_NAMES = {1: "single-supporting-fact", 2: "two-supporting-facts",
              3: "three-supporting-facts", 6: "yes-no-questions"}
# Bump on any change to the text the generator writes: it is part of the file
# cache key and of the dense hash, so no model trained on the old text is reused.
GENERATOR_VERSION = 1
QUESTIONS_PER_STORY = 5
MAX_ACTIONS_PER_QUESTION = 40  # give up on a story that cannot reach an askable state


def file_name(task: int, part: str) -> str:
    """'qa1_single-supporting-fact_train.txt' for task 1, part 'train'."""
    return f"qa{task}_{TASK_NAMES[task]}_{part}.txt"


@dataclass
class World:
    """Where everyone and everything is, and which line said so."""

    rng: random.Random
    lines: Story = field(default_factory=list)
    place: dict[str, tuple[str, int]] = field(default_factory=dict)  # person -> (place, line)
    holder: dict[str, tuple[str, int]] = field(default_factory=dict)  # object -> (person, got line)
    # object -> [(place, line)], each place it was in; only carried moves add to it
    history: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    dropped: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # obj -> (place, drop, move)
    last_got: dict[str, int] = field(default_factory=dict)  # object -> line of its latest pick-up
    asked: set = field(default_factory=set)  # (object, history length) already asked (task 3)

    def say(self, text: str) -> int:
        self.lines.append(Statement(len(self.lines) + 1, text))
        return len(self.lines)

    def ask(self, text: str, answer: str, supports: tuple[int, ...]) -> None:
        self.lines.append(Question(len(self.lines) + 1, text, answer, supports))

    def move(self) -> None:
        person = self.rng.choice(PEOPLE)
        current = self.place.get(person, (None, 0))[0]
        where = self.rng.choice([p for p in PLACES if p != current])
        line = self.say(f"{person} {self.rng.choice(MOVES)} the {where}.")
        self.place[person] = (where, line)
        for obj, (holder, _) in self.holder.items():
            if holder == person:
                self.history[obj].append((where, line))

    def get(self) -> bool:
        choices = [(person, obj) for person in sorted(self.place) for obj in OBJECTS
                   if obj not in self.holder
                   and self.dropped.get(obj, (self.place[person][0],))[0] == self.place[person][0]]
        if not choices:
            return False
        person, obj = self.rng.choice(choices)
        line = self.say(f"{person} {self.rng.choice(GETS)} the {obj} there.")
        self.holder[obj] = (person, line)
        self.last_got[obj] = line
        self.dropped.pop(obj, None)
        where, moved = self.place[person]
        history = self.history.setdefault(obj, [])
        if not history or history[-1][0] != where:
            history.append((where, moved))
        return True

    def drop(self) -> bool:
        if not self.holder:
            return False
        obj = self.rng.choice(sorted(self.holder))
        person, _ = self.holder.pop(obj)
        line = self.say(f"{person} {self.rng.choice(DROPS)} the {obj}.")
        where, moved = self.place[person]
        self.dropped[obj] = (where, line, moved)
        return True

    def act(self, p_move: float) -> None:
        """One statement: a move with probability ``p_move``, else a pick-up or a drop."""
        if self.rng.random() < p_move:
            self.move()
        elif not (self.get() if self.rng.random() < 0.6 else self.drop()):
            self.move()  # nothing to pick up or drop yet


# ---- the questions of each task: each returns True if it asked one ---------

def ask_where_person(world: World) -> bool:
    if not world.place:
        return False
    person = world.rng.choice(sorted(world.place))
    where, line = world.place[person]
    world.ask(f"Where is {person}?", where, (line,))
    return True


def ask_is_person_in(world: World) -> bool:
    if not world.place:
        return False
    person = world.rng.choice(sorted(world.place))
    where, line = world.place[person]
    asked = where if world.rng.random() < 0.5 else world.rng.choice(
        [p for p in PLACES if p != where])
    world.ask(f"Is {person} in the {asked}?", "yes" if asked == where else "no", (line,))
    return True


def ask_where_object(world: World) -> bool:
    known = sorted(set(world.holder) | set(world.dropped))
    if not known:
        return False
    obj = world.rng.choice(known)
    if obj in world.holder:
        person, got = world.holder[obj]
        where, moved = world.place[person]
        supports = (got, moved) if moved > got else (moved, got)
    else:
        where, dropped, moved = world.dropped[obj]
        supports = (dropped, moved)
    world.ask(f"Where is the {obj}?", where, supports)
    return True


def ask_where_before(world: World) -> bool:
    """Only about a move not asked before, and never 'before the X' when the
    object was in X earlier too (the question would be ambiguous)."""
    askable = [obj for obj, history in sorted(world.history.items())
               if len(history) >= 2 and (obj, len(history)) not in world.asked
               and history[-1][0] not in [p for p, _ in history[:-1]]]
    if not askable:
        return False
    obj = world.rng.choice(askable)
    world.asked.add((obj, len(world.history[obj])))
    (before, before_line), (now, now_line) = world.history[obj][-2:]
    world.ask(f"Where was the {obj} before the {now}?", before,
              (now_line, before_line, world.last_got[obj]))
    return True


@dataclass(frozen=True)
class TaskRecipe:
    ask: Callable[[World], bool]
    p_move: float  # share of statements that are moves
    min_gap: int  # statements between two questions, at least


RECIPES = {
    1: TaskRecipe(ask_where_person, p_move=1.0, min_gap=2),
    2: TaskRecipe(ask_where_object, p_move=0.6, min_gap=2),
    3: TaskRecipe(ask_where_before, p_move=0.7, min_gap=3),
    6: TaskRecipe(ask_is_person_in, p_move=1.0, min_gap=2),
}


def generate_story(task: int, rng: random.Random) -> Optional[Story]:
    recipe = RECIPES[task]
    world = World(rng)
    for _ in range(QUESTIONS_PER_STORY):
        for _ in range(recipe.min_gap):
            world.act(recipe.p_move)
        for _ in range(MAX_ACTIONS_PER_QUESTION):
            if recipe.ask(world):
                break
            world.act(recipe.p_move)
        else:
            return None
    return world.lines


def generate(task: int, n_stories: int, seed: int, part: str) -> list[Story]:
    """``n_stories`` stories of ``task`` for ``part`` ('train' or 'test'); the
    parts of one seed come from different streams, so they never repeat each other."""
    if task not in RECIPES:
        raise ValueError(f"bAbI task {task} has no generator; generated tasks: "
                         f"{', '.join(map(str, sorted(RECIPES)))}")
    rng = random.Random(zlib.crc32(f"{seed}/{task}/{part}".encode()))
    stories: list[Story] = []
    while len(stories) < n_stories:
        story = generate_story(task, rng)
        if story is not None:
            stories.append(story)
    return stories


def generate_text(task: int, n_stories: int, seed: int, part: str) -> str:
    return format_stories(generate(task, n_stories, seed, part))
