"""bAbI: the generator is seeded and writes the official format, the parser
reads it back exactly, the loader builds padded tensors from train-only vocab."""
from __future__ import annotations

import re
import tarfile
from pathlib import Path

import pytest
import torch

from mabbench.config.errors import ConfigError
from mabbench.tasks import load_splits
from mabbench.tasks.babi import UNKNOWN, babi_splits, read_archive, read_folder
from mabbench.tasks.babi_format import Question, Statement, examples, format_stories, parse
from mabbench.tasks.babi_generator import TASK_NAMES, file_name, generate, generate_text
from mabbench.trial.training import dense_model

STATEMENT = re.compile(r"^\d+ [A-Z][a-z]+( [a-z]+)+\.$")
QUESTION = re.compile(r"^\d+ [A-Z][A-Za-z ]+\? \t[a-z]+\t\d+( \d+)*$")

# Lines in the official files' exact layout (tasks_1-20_v1-2/en/qa1 and qa8).
OFFICIAL = ("1 Mary moved to the bathroom.\n2 John went to the hallway.\n"
            "3 Where is Mary? \tbathroom\t1\n4 Daniel went back to the hallway.\n"
            "5 Sandra moved to the garden.\n6 Where is Daniel? \thallway\t4\n"
            "1 Mary got the milk there.\n2 John moved to the bedroom.\n"
            "3 What is Mary carrying? \tmilk,apple\t1 2\n")


@pytest.mark.parametrize("task", sorted(TASK_NAMES))
def test_generator_is_deterministic_and_writes_the_official_format(task):
    text = generate_text(task, 30, seed=0, part="train")
    assert text == generate_text(task, 30, seed=0, part="train")
    assert text != generate_text(task, 30, seed=1, part="train")
    assert text != generate_text(task, 30, seed=0, part="test")
    expected_id = 1
    for line in text.splitlines():
        line_id = int(line.split(" ", 1)[0])
        assert line_id in (1, expected_id), line  # ids count up, restart per story
        expected_id = line_id + 1
        assert STATEMENT.match(line) or QUESTION.match(line), line


@pytest.mark.parametrize("task", sorted(TASK_NAMES))
def test_answers_follow_from_their_supporting_facts(task):
    for story in generate(task, 40, seed=0, part="train"):
        for line in story:
            if not isinstance(line, Question):
                continue
            facts = [story[i - 1] for i in line.supports]
            assert all(isinstance(f, Statement) and f.id < line.id for f in facts)
            said = " ".join(f.text for f in facts)
            if task == 6:  # "Is Mary in the kitchen?" -> yes iff the fact puts her there
                place = line.text.rstrip("?").split()[-1]
                assert (line.answer == "yes") == said.endswith(f"the {place}.")
            else:
                assert f"the {line.answer}." in said, (line, facts)
            assert len(line.supports) == {1: 1, 6: 1, 2: 2, 3: 3}[task]


@pytest.mark.parametrize("task", sorted(TASK_NAMES))
def test_parser_round_trips_generated_files(task):
    text = generate_text(task, 20, seed=3, part="test")
    stories = parse(text)
    assert format_stories(stories) == text
    assert parse(format_stories(stories)) == stories


def test_parser_reads_the_official_layout():
    stories = parse(OFFICIAL)
    assert format_stories(stories) == OFFICIAL
    assert stories[0][2] == Question(3, "Where is Mary?", "bathroom", (1,))
    qa = examples(stories)
    assert qa[1].story == [["mary", "moved", "to", "the", "bathroom"],
                           ["john", "went", "to", "the", "hallway"],
                           ["daniel", "went", "back", "to", "the", "hallway"],
                           ["sandra", "moved", "to", "the", "garden"]]
    assert qa[1].query == ["where", "is", "daniel"] and qa[2].answer == "milk,apple"


def test_parser_names_the_bad_line():
    with pytest.raises(ValueError, match="f.txt:2"):
        parse("1 Mary moved to the bathroom.\n5 John went to the hallway.\n", "f.txt")


def test_default_reasoning_data_are_generated_atomically_and_padded(make_cfg):
    cfg = make_cfg("task=reasoning")
    splits = load_splits(cfg)
    data_dir = Path(cfg.runtime.data_dir) / "babi_generated"
    (folder,) = data_dir.iterdir()
    assert sorted(p.name for p in (folder / "en").iterdir()) == [
        "qa1_single-supporting-fact_test.txt", "qa1_single-supporting-fact_train.txt"]
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temp leftovers
    story, query = splits.train.inputs
    memory, length = splits.info["memory_size"], splits.info["sentence_length"]
    assert story.dtype == torch.int64 and story.shape[1:] == (memory, length)
    assert query.shape == (len(splits.train), length)
    assert len(splits.train) + len(splits.prune) + len(splits.select) == 1000 and len(splits.test) == 1000
    assert splits.n_outputs == 6 and splits.info["answers"] == sorted(
        ["bathroom", "bedroom", "garden", "hallway", "kitchen", "office"])
    assert (story[:, 0] != 0).any(dim=1).all()  # slot 0 is the latest statement, never empty
    again = load_splits(cfg)  # read back from the cache, same tensors
    assert torch.equal(again.test.inputs[0], splits.test.inputs[0])


def test_vocabulary_comes_from_train_only(make_cfg):
    train = examples(parse(OFFICIAL * 5))  # 10 stories: enough for four data roles
    test = examples(parse("1 Bill moved to the attic.\n2 Where is Bill? \tattic\t1\n"))
    splits = babi_splits(train, test, 50, make_cfg("task=reasoning").task.split, seed=0)
    story, query = splits.test.inputs
    assert story[0, 0, 0] == UNKNOWN and query[0, 2] == UNKNOWN
    assert splits.test.targets[0] == len(splits.info["answers"])  # never predictable


def test_official_archive_is_read_from_the_tar(tmp_path):
    for part in ("train", "test"):
        (tmp_path / file_name(2, part)).write_text(generate_text(2, 10, 0, part))
    with tarfile.open(tmp_path / "tasks_1-20_v1-2.tar.gz", "w:gz") as tar:
        for part in ("train", "test"):
            tar.add(tmp_path / file_name(2, part), f"tasks_1-20_v1-2/en/{file_name(2, part)}")
    from_tar = read_archive(tmp_path / "tasks_1-20_v1-2.tar.gz", task=2, variant="en")
    assert from_tar == read_folder(tmp_path, task=2)
    assert len(from_tar[0]) == 50


def test_official_babi_offline_gives_one_line_and_writes_nothing(make_cfg, monkeypatch):
    monkeypatch.setenv("MABBENCH_OFFLINE", "1")
    cfg = make_cfg("task=reasoning", "dataset=babi")
    with pytest.raises(ConfigError) as error:
        load_splits(cfg)
    assert "\n" not in str(error.value) and "babi_generated" in str(error.value)
    assert not Path(cfg.runtime.data_dir).exists()


def test_generator_rejects_tasks_it_cannot_write(make_cfg):
    with pytest.raises(ConfigError, match="dataset.task=4"):
        load_splits(make_cfg("task=reasoning", "dataset.task=4"))


def test_memory_network_clearly_beats_the_majority_answer(make_cfg):
    cfg = make_cfg("task=reasoning", "task.train.epochs=6")
    splits = load_splits(cfg)
    model, _ = dense_model(cfg, splits, torch.device("cpu"))
    with torch.no_grad():
        accuracy = (model(*splits.test.inputs).argmax(1) == splits.test.targets).float().mean()
    majority = torch.bincount(splits.train.targets).max().item() / len(splits.train)
    assert accuracy > majority + 0.4
