# %%
import numpy as np
import pandas as pd
from sklearn.svm import SVC
from sklearn.model_selection import GridSearchCV, train_test_split

df = pd.read_csv("data/train.csv")
X_train, X_val = train_test_split(df, random_state=0)
