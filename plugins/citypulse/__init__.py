"""CityPulse (城市脉搏): land social-media exports, build a star schema, evaluate city communication power."""

__version__ = "0.1.0"
