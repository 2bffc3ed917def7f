"""Gymnasium envs for shmrl's bridge tests (tests/gym/), registered on import
(env.python_modules = "shmrl_test_envs", with this folder on PYTHONPATH)."""
import gymnasium as gym
import numpy as np
from gymnasium import spaces


class Corridor(gym.Env):
    """Walk right along a corridor of `length` cells: reward 1 at the end (terminated), -0.01 a
    step otherwise. Observations are float64 one-hots (the bridge casts them to float32). A random
    walk seldom reaches the end of 10 cells within the 50-step limit; walking right takes 9 steps."""

    def __init__(self, length=10):
        self.length = length
        self.observation_space = spaces.Box(0.0, 1.0, (length,), dtype=np.float64)
        self.action_space = spaces.Discrete(2)
        self.pos = 0

    def _obs(self):
        obs = np.zeros(self.length)
        obs[self.pos] = 1.0
        return obs

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.pos = 0
        return self._obs(), {}

    def step(self, action):
        self.pos = max(0, self.pos + (1 if int(action) == 1 else -1))
        done = self.pos == self.length - 1
        return self._obs(), (1.0 if done else -0.01), done, False, {}


class Raising(Corridor):
    """Raises from step() on the `at`-th step of every episode."""

    def __init__(self, at=3):
        super().__init__()
        self.at, self.t = at, 0

    def reset(self, *, seed=None, options=None):
        self.t = 0
        return super().reset(seed=seed, options=options)

    def step(self, action):
        self.t += 1
        if self.t == self.at:
            raise RuntimeError(f"shmrl test env raising on step {self.t}")
        return super().step(action)


class RaisingInEvaluator(Corridor):
    """Corridor for the actors; raises from step() in the evaluator process (its command line names
    `evaluator`), so every greedy evaluation fails while training goes on."""

    def __init__(self):
        super().__init__()
        with open("/proc/self/cmdline", "rb") as f:
            self.in_evaluator = b"evaluator" in f.read()

    def step(self, action):
        if self.in_evaluator:
            raise RuntimeError("shmrl test env raising in the evaluator")
        return super().step(action)


class NaNOutput(Corridor):
    """A NaN observation (what="obs") or reward (what="reward") on the `at`-th step of every episode."""

    def __init__(self, at=3, what="obs"):
        super().__init__()
        self.at, self.t, self.what = at, 0, what

    def reset(self, *, seed=None, options=None):
        self.t = 0
        return super().reset(seed=seed, options=options)

    def step(self, action):
        self.t += 1
        obs, reward, terminated, truncated, info = super().step(action)
        if self.t == self.at and self.what == "obs":
            obs = obs.copy()
            obs[0] = np.nan
        if self.t == self.at and self.what == "reward":
            reward = float("nan")
        return obs, reward, terminated, truncated, info


class Pixels(gym.Env):
    """uint8 frames of shape (2, 6, 6) that name themselves: byte 0 is the episode step t, byte 1 the
    episode's tag (its reset seed mod 256), byte i >= 2 is (5 tag + 7 t + 13 i) mod 256 (values up to
    255, so a float round trip or a scaling shows). Wherever a frame arrives it can be checked bit for
    bit. Reward t; an episode terminates after 3 + tag % 5 steps."""

    def __init__(self):
        self.observation_space = spaces.Box(0, 255, (2, 6, 6), dtype=np.uint8)
        self.action_space = spaces.Discrete(3)
        self.tag = self.t = 0

    def _obs(self):
        i = np.arange(72)
        obs = (5 * self.tag + 7 * self.t + 13 * i) % 256
        obs[0], obs[1] = self.t, self.tag
        return obs.astype(np.uint8).reshape(2, 6, 6)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.tag = int(seed) % 256 if seed is not None else (self.tag + 1) % 256
        self.t = 0
        return self._obs(), {}

    def step(self, action):
        self.t += 1
        return self._obs(), float(self.t), self.t >= 3 + self.tag % 5, False, {}


class PixelCorridor(Corridor):
    """Corridor seen as Atari-shaped frames, uint8 (4, 84, 84): the agent's cell is a bright vertical
    band (8 pixels per cell) in every frame of the stack. For Nature-CNN runs in seconds."""

    def __init__(self):
        super().__init__()
        self.observation_space = spaces.Box(0, 255, (4, 84, 84), dtype=np.uint8)

    def _obs(self):
        obs = np.zeros((4, 84, 84), dtype=np.uint8)
        obs[:, :, 8 * self.pos:8 * self.pos + 8] = 255
        return obs


class DictObs(Corridor):
    def __init__(self):
        super().__init__()
        self.observation_space = spaces.Dict({"pos": spaces.Discrete(self.length)})


gym.register("ShmrlTest/Corridor-v0", entry_point=Corridor, max_episode_steps=50)
gym.register("ShmrlTest/Raising-v0", entry_point=Raising, max_episode_steps=50)
gym.register("ShmrlTest/RaisingInEvaluator-v0", entry_point=RaisingInEvaluator, max_episode_steps=50)
gym.register("ShmrlTest/NaNOutput-v0", entry_point=NaNOutput, max_episode_steps=50)
gym.register("ShmrlTest/Pixels-v0", entry_point=Pixels, max_episode_steps=50)
gym.register("ShmrlTest/PixelCorridor-v0", entry_point=PixelCorridor, max_episode_steps=50)
gym.register("ShmrlTest/DictObs-v0", entry_point=DictObs, max_episode_steps=50)
