"""Practice: the question bank, quizzes and mock exams. Pure logic: nothing here knows Discord."""

from bot.practice.bank import QuestionBank
from bot.practice.loader import load_bank, load_knowledge_and_bank, questions_dir_of
from bot.practice.models import LETTERS, Question, Section

__all__ = [
    "LETTERS",
    "Question",
    "QuestionBank",
    "Section",
    "load_bank",
    "load_knowledge_and_bank",
    "questions_dir_of",
]
