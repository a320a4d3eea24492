"""The Monte Carlo spend forecast: random streams, adoption paths, spend, generated programmes."""
