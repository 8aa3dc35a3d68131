from bot.knowledge.loader import KnowledgeBase, KnowledgeError, Problem, load_knowledge

__all__ = ["KnowledgeBase", "KnowledgeError", "Problem", "load_knowledge"]
