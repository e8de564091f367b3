print('I sent a script, not a notebook')
