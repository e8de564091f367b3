"""Exploratory data analysis: does the candidate look at the data before modelling it."""
