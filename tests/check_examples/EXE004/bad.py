# %%
import pandas as pd

df = pd.read_csv("/Users/jane/Downloads/churn/train.csv")
