"""policy-kg: a knowledge graph of actors, instruments, sectors and regions from Chinese policy text."""
__version__ = "0.1.0"
