"""The instant checks, by layer (the public face is acts.check):

    engine.py          cases, feedback (text and HTML), verdicts, Task.call: the one door into learner code
                       (time limit: call_with_time_limit), Task.best_time: the one place that times it
    cases.py           cases shared by the tasks: sample points, extremes, tiny values, shape, derivatives, speed
    notebook.py        what the IPython kernel tells the checks: failed cell runs, stubs' NotImplementedError
    sigmoid.py         exercise 01          tanh.py            exercise 02
    relu.py            exercises 03 and 04  softmax.py         exercise 05
    initialisation.py  exercise 06          modern.py          exercise 07 and the generic activation check
    xor.py             exercise 00          depth.py           exercise 06: leaky-ReLU gain, vanishing depth
    softmax_backward.py  exercise 05: the batched VJP at n = 100,000, the temperature backward (debug)
    dead_units.py      exercise 03: the fraction of units a bias shift kills (predict, then check by simulation)
    comparison.py      exercise 09: held-out accuracy under a budget, a gradient ratio (debug), the choice
"""
