"""shmrl's side of the Gymnasium bridge (actors/envs/gym/).

Two uses, one module:
  * `python shmrl_gym.py probe ID KWARGS_JSON MODULES`: the launcher's start-up check (a short-lived
    process, so no interpreter lives in a process that forks). Prints the env's spaces as JSON on
    stdout, or a message the user can act on on stderr and exits 2.
  * `Bridge`: imported by the interpreter an actor embeds (gym_bridge.cpp); one call per vector step.
"""
import importlib
import json
import os
import sys
import traceback

import numpy as np


def _parse_kwarg(text):
    # shmrl keeps kwargs as text (actors/envs/env_config.h): booleans, numbers, arrays, strings.
    if text in ("true", "false"):
        return text == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    if text.startswith("["):
        return json.loads(text.replace("-inf", "-Infinity").replace("inf", "Infinity"))
    return text


def _import_modules(modules):
    if modules and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # as `python -c` does: a module beside the config
    for name in modules:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as e:
            raise UserError(f"env.python_modules: cannot import '{name}' ({e}); is it on PYTHONPATH or "
                            f"installed in the venv ({sys.prefix}/bin/pip install <its package>)?")


class UserError(Exception):
    pass


def _import_namespace(env_id):
    if env_id.startswith("ALE/"):
        try:
            import ale_py
        except ModuleNotFoundError:
            raise UserError(f"'{env_id}' needs ale-py: {sys.prefix}/bin/pip install ale-py "
                            "(launch/setup installs it)")
        import gymnasium
        gymnasium.register_envs(ale_py)


def _spec(env_id, modules):
    import gymnasium
    _import_modules(modules)
    _import_namespace(env_id)
    try:
        return gymnasium.spec(env_id)
    except gymnasium.error.Error as e:
        raise UserError(f"unknown Gymnasium id '{env_id}' ({e}); if a package registers it, install it "
                        f"({sys.prefix}/bin/pip install <package>) or name its module in "
                        "env.python_modules")


def describe_space(space, what):
    from gymnasium import spaces
    if isinstance(space, spaces.Discrete):
        return {"kind": "discrete", "n": int(space.n), "start": int(space.start)}
    if isinstance(space, spaces.Box):
        def number(x):  # JSON has no infinity: shmrl reads "inf" / "-inf"
            return float(x) if np.isfinite(x) else ("inf" if x > 0 else "-inf")

        def bound(a):
            a = np.asarray(a, dtype=np.float64).reshape(-1)
            return number(a[0]) if a.size and np.all(a == a[0]) else [number(x) for x in a]
        return {"kind": "box", "shape": [int(d) for d in space.shape], "dtype": str(space.dtype),
                "low": bound(space.low), "high": bound(space.high)}
    raise UserError(f"{what} {space} is not supported: shmrl maps only Box and Discrete spaces "
                    "(wrap the env, e.g. gymnasium.wrappers.FlattenObservation)")


def _make_kwargs(kwargs_json):
    return {k: _parse_kwarg(v) for k, v in json.loads(kwargs_json).items()}


# The Ape-X/DQN Atari protocol for ALE ids, as ale-py's AtariVectorEnv (C++ threads) arguments:
# frame skip 4 (max-pooled), 84x84 grayscale, 4-frame stack, up to 30 no-op starts, v5's sticky
# actions, a 108k-frame cap, and for training episodic life and reward clipping. [env] kwargs
# override any of them.
ATARI_PROTOCOL = dict(frameskip=4, maxpool=True, img_height=84, img_width=84, grayscale=True,
                      stack_num=4, noop_max=30, repeat_action_probability=0.25,
                      max_num_frames_per_episode=108000, episodic_life=True, reward_clipping=True,
                      use_fire_reset=False)

# Greedy evaluation (the evaluator process, shmrl eval) scores true game returns over whole games,
# whatever the training kwargs say: no episodic life, no reward clipping. The 108k-frame cap, sticky
# actions and no-op starts stay as in training.
ATARI_EVALUATION = dict(episodic_life=False, reward_clipping=False)


def make_atari(env_id, num_envs, kwargs, evaluation=False):
    import gymnasium
    from gymnasium.vector import AutoresetMode
    from ale_py.vector_env import AtariVectorEnv
    game = gymnasium.spec(env_id).kwargs["game"]
    try:
        return AtariVectorEnv(game, num_envs, autoreset_mode=AutoresetMode.SAME_STEP,
                              **{**ATARI_PROTOCOL, **kwargs, **(ATARI_EVALUATION if evaluation else {})})
    except TypeError as e:
        raise UserError(f"env.kwargs for '{env_id}' (ale-py AtariVectorEnv arguments): {e}")


def probe(env_id, kwargs_json, modules):
    import gymnasium
    _spec(env_id, modules)
    if env_id.startswith("ALE/"):
        env = make_atari(env_id, 1, _make_kwargs(kwargs_json))
        out = {"obs": describe_space(env.single_observation_space, "observation space"),
               "action": describe_space(env.single_action_space, "action space"),
               "max_episode_steps": 0}
        env.close()
        return out
    try:
        env = gymnasium.make(env_id, **_make_kwargs(kwargs_json))
    except TypeError as e:
        raise UserError(f"env.kwargs for '{env_id}': {e}")
    out = {"obs": describe_space(env.observation_space, "observation space"),
           "action": describe_space(env.action_space, "action space"),
           "max_episode_steps": int(env.spec.max_episode_steps or 0) if env.spec else 0}
    env.close()
    return out


class Bridge:
    """E envs of one id as one gymnasium vector env with autoreset disabled: the actor resets the
    envs whose episodes ended, after it has read their final observations. obs/actions (bind) and
    rewards/terminated/truncated are views of the actor's own buffers: results are copied into them
    once, cast to their dtype. `evaluation`: the env as greedy evaluation sees it (ALE ids:
    ATARI_EVALUATION; other ids are the same either way)."""

    def __init__(self, env_id, kwargs_json, modules, rewards, terminated, truncated, evaluation=False):
        import gymnasium
        from gymnasium.vector import AutoresetMode
        _spec(env_id, modules)
        self.env = gymnasium.make_vec(env_id, num_envs=rewards.shape[0], vectorization_mode="sync",
                                      vector_kwargs={"autoreset_mode": AutoresetMode.DISABLED},
                                      **_make_kwargs(kwargs_json))
        self.rewards, self.terminated, self.truncated = rewards, terminated, truncated
        self.obs = self.actions = None
        start = getattr(self.env.single_action_space, "start", 0)
        self.action_start = int(start) if np.ndim(start) == 0 else 0

    def bind(self, obs, actions):
        self.obs, self.actions = obs, actions

    def step(self):
        actions = self.actions + self.action_start if self.action_start else self.actions
        try:
            obs, reward, terminated, truncated, _ = self.env.step(actions)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            sys.stderr.flush()
            raise
        np.copyto(self.obs, obs.reshape(self.obs.shape), casting="unsafe")
        self.rewards[:] = reward
        self.terminated[:] = terminated
        self.truncated[:] = truncated

    def reset(self, mask, seeds):
        """mask: bool [E]; seeds: list of E ints (those of unmasked envs are ignored)."""
        mask = np.asarray(mask, dtype=np.bool_)
        seeds = [int(s) if m else None for s, m in zip(seeds, mask)]
        try:
            obs, _ = self.env.reset(seed=seeds, options={"reset_mask": mask})
        except Exception:
            traceback.print_exc(file=sys.stderr)
            sys.stderr.flush()
            raise
        obs = obs.reshape(self.obs.shape)
        self.obs[mask] = obs[mask]

    def close(self):
        self.env.close()

    def native_rate(self, seconds):
        """The vector env's own stepping rate (env steps/s): random actions, no copies."""
        import time
        space = self.env.action_space
        actions = [space.sample() for _ in range(64)]
        self.env.reset(seed=list(range(self.rewards.shape[0])))
        steps, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            _, _, terminated, truncated, _ = self.env.step(actions[steps % 64])
            steps += 1
            done = np.logical_or(terminated, truncated)
            if done.any():
                self.env.reset(options={"reset_mask": done})
        return steps * self.rewards.shape[0] / (time.perf_counter() - start)


class AtariBridge(Bridge):
    """ALE ids: ale-py's AtariVectorEnv under ATARI_PROTOCOL. It resets an ended episode in the same
    step (its final observation comes in info["final_obs"]): step() hands the actor the final
    observation and keeps the next episode's first one for the actor's reset()."""

    def __init__(self, env_id, kwargs_json, modules, rewards, terminated, truncated, evaluation=False):
        _spec(env_id, modules)
        self.env = make_atari(env_id, rewards.shape[0], _make_kwargs(kwargs_json), evaluation)
        self.evaluation = evaluation
        self.rewards, self.terminated, self.truncated = rewards, terminated, truncated
        self.obs = self.actions = None
        self.action_start = 0
        self.started = False
        self.first = np.zeros((rewards.shape[0],) + self.env.single_observation_space.shape,
                              dtype=self.env.single_observation_space.dtype)

    def step(self):
        try:
            obs, reward, terminated, truncated, info = self.env.step(self.actions)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            sys.stderr.flush()
            raise
        done = np.logical_or(terminated, truncated)
        np.copyto(self.obs, obs, casting="unsafe")
        if done.any():
            self.first[done] = obs[done]
            self.obs[done] = info["final_obs"][done]
        self.rewards[:] = reward
        self.terminated[:] = terminated
        self.truncated[:] = truncated

    def reset(self, mask, seeds):
        mask = np.asarray(mask, dtype=np.bool_)
        # The first reset is whole: seeds reach the ALE (31-bit seeds). In evaluation every whole
        # reset starts an evaluation: reseeded, so episode i of seed s replays exactly.
        if not self.started or (self.evaluation and mask.all()):
            obs, _ = self.env.reset(seed=np.asarray([int(s) % 2**31 for s in seeds], dtype=np.int64))
            np.copyto(self.obs, obs, casting="unsafe")
            self.started = True
            return
        self.obs[mask] = self.first[mask]

    def native_rate(self, seconds):
        import time
        n = self.rewards.shape[0]
        actions = np.random.default_rng(3).integers(0, self.env.single_action_space.n, (64, n)).astype(np.int32)
        self.env.reset(seed=np.arange(n, dtype=np.int64))
        self.started = False
        steps, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            self.env.step(actions[steps % 64])
            steps += 1
        return steps * n / (time.perf_counter() - start)


def make_bridge(env_id, *args):
    return (AtariBridge if env_id.startswith("ALE/") else Bridge)(env_id, *args)


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] != "probe":
        sys.exit("usage: shmrl_gym.py probe ID KWARGS_JSON MODULES(comma-separated)")
    try:
        mods = [m for m in sys.argv[4].split(",") if m]
        print(json.dumps(probe(sys.argv[2], sys.argv[3], mods)))
    except UserError as e:
        print(e, file=sys.stderr)
        sys.exit(2)
