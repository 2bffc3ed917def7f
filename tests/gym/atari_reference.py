"""Reference for the Atari bridge test: ale-py's AtariVectorEnv stepped directly under the
Ape-X/DQN protocol written out here (not shmrl's), printing per vector step what an actor must see:
the sum of each env's observation after the step (the final one for an ended episode), rewards,
terminations, truncations, and each env's observation sum after ended episodes restart.
usage: atari_reference.py GAME NUM_ENVS SEED ACTIONS_JSON"""
import json
import sys

import numpy as np
from ale_py.vector_env import AtariVectorEnv
from gymnasium.vector import AutoresetMode

game, n, seed, actions = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
env = AtariVectorEnv(game, n, autoreset_mode=AutoresetMode.SAME_STEP, frameskip=4, maxpool=True,
                     img_height=84, img_width=84, grayscale=True, stack_num=4, noop_max=30,
                     repeat_action_probability=0.25, max_num_frames_per_episode=108000,
                     episodic_life=True, reward_clipping=True, use_fire_reset=False)
obs, _ = env.reset(seed=np.arange(seed, seed + n, dtype=np.int64))
print(json.dumps({"reset": [int(o.sum(dtype=np.int64)) for o in obs]}))
for a in actions:
    obs, reward, terminated, truncated, info = env.step(np.asarray(a, dtype=np.int32))
    done = np.logical_or(terminated, truncated)
    seen = obs.copy()
    if done.any():
        seen[done] = info["final_obs"][done]
    print(json.dumps({"obs": [int(o.sum(dtype=np.int64)) for o in seen],
                      "reward": [float(r) for r in reward],
                      "terminated": [bool(t) for t in terminated],
                      "truncated": [bool(t) for t in truncated],
                      "restart": [int(o.sum(dtype=np.int64)) for o in obs]}))
