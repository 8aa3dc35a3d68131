from bot.knowledge.loader import KnowledgeBase, load_knowledge
from bot.knowledge.reading import KnowledgeError, Problem

__all__ = ["KnowledgeBase", "KnowledgeError", "Problem", "load_knowledge"]
