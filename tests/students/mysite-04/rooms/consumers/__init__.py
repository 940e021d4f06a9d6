from .echo import EchoConsumer, ShoutingEchoConsumer

__all__ = ['EchoConsumer', 'ShoutingEchoConsumer']
