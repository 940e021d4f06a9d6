# nothing is saved for now, messages only go through redis
