"""Reference for the test of shmrl's Atari frames against Gymnasium's own wrappers: one
`gymnasium.make(ENV_ID, frameskip=1, repeat_action_probability=0)` per env, wrapped in
AtariPreprocessing (frame skip 4, max of the last two frames, 84x84 grayscale, cv2 INTER_AREA) and
FrameStackObservation(4, zero padding: a first stack holds the reset frame and three zero
frames, as AtariVectorEnv's), reset with seeds SEED, SEED+1, ... and stepped with ACTIONS_JSON (a list
of per-step action lists). No no-op starts and no sticky actions: both draw from random generators
that shmrl's envs and these wrappers do not share. With CLIP=1 rewards are clipped to their sign as
the Ape-X training protocol does.
Writes to OUT, per step, every env's observation after the step (the final one of an ended
episode) as raw uint8 bytes, then the first observation of each ended env's next episode; prints per
step one JSON line of rewards, terminations and truncations. Exits 3 (with a message) if cv2 is
missing.
usage: atari_wrappers_reference.py ENV_ID NUM_ENVS SEED CLIP ACTIONS_JSON OUT"""
import json
import sys

try:
    import cv2  # noqa: F401  (AtariPreprocessing imports it lazily; fail here, clearly)
except ImportError:
    print("cv2 is missing: pip install opencv-python-headless (launch/setup installs it)", file=sys.stderr)
    sys.exit(3)
import ale_py
import gymnasium as gym
import numpy as np
from gymnasium.wrappers import AtariPreprocessing, FrameStackObservation

env_id, n, seed, clip = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
actions, out = json.loads(sys.argv[5]), open(sys.argv[6], "wb")
gym.register_envs(ale_py)


def make():
    env = gym.make(env_id, frameskip=1, repeat_action_probability=0.0)
    env = AtariPreprocessing(env, noop_max=0, frame_skip=4, screen_size=84, terminal_on_life_loss=False,
                             grayscale_obs=True, scale_obs=False)
    return FrameStackObservation(env, stack_size=4, padding_type="zero")


envs = [make() for _ in range(n)]
for i, env in enumerate(envs):
    out.write(np.ascontiguousarray(env.reset(seed=seed + i)[0], dtype=np.uint8).tobytes())
for step in actions:
    results = [env.step(int(a)) for env, a in zip(envs, step)]
    for obs, *_ in results:
        out.write(np.ascontiguousarray(obs, dtype=np.uint8).tobytes())
    for env, (_, _, terminated, truncated, _) in zip(envs, results):
        if terminated or truncated:
            out.write(np.ascontiguousarray(env.reset()[0], dtype=np.uint8).tobytes())
    rewards = [float(np.sign(r)) if clip else float(r) for _, r, *_ in results]
    print(json.dumps({"reward": rewards, "terminated": [bool(t) for _, _, t, _, _ in results],
                      "truncated": [bool(t) for *_, t, _ in results]}))
