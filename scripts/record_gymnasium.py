#!/usr/bin/env python3
"""Records Gymnasium reference trajectories for shmrl's C++ environment tests (tests/envs/).

Usage: scripts/record_gymnasium.py [--out tests/data/gymnasium] [--venv /tmp/shmrl-gym-venv]
                                   [--only REGEX]

Run with any Python 3.10+: it creates a throwaway virtual environment, installs the pinned
gymnasium[box2d,mujoco] and mujoco from PyPI into it and re-runs itself there. `--only` records
the files whose name matches (e.g. `--only=-v5` for the MuJoCo envs, which need no Box2D: then
`--venv ~/.cache/shmrl/torch-venv`, where launch/setup put the same pinned versions, also works). For each built-in env and fixed seeds
it writes <out>/<id>[-continuous].json with, per episode: the seed, the physical state right after
reset (env.unwrapped.state; C++ set_state takes it, since the RNG streams differ), the actions
(seeded: a noisy heuristic and/or uniform random, chosen so that the episodes end by termination
and, for every classic-control env, at least once by the time limit), and per step the float32
observation, the reward and the terminated/truncated flags.

The MuJoCo v5 envs record the state right after reset as qpos then qvel (env.unwrapped's
state_vector(); numpy's PCG64 reset noise is not reproduced in C++), then seeded uniform random
actions or a fixed sinusoid, through terminations and, for the envs that never terminate
(HalfCheetah, Swimmer, Reacher, Pusher), their time limit (HumanoidStandup: capped episodes;
InvertedPendulum: a noisy PD controller holds the pole to the limit).
To keep the files small, an episode keeps every step's reward and flags but the observations of
its first 30 steps (the humanoids: 8), then of every 25th step (Humanoid: 5th, HumanoidStandup: 10th) and of its last
("obs_steps" lists which).

LunarLander cannot be started from a "state" (terrain, initial push and engine dispersion all come
from env.np_random), so its episodes carry "draws": every np_random.uniform value the env consumed,
in order (12 terrain heights, 2 initial force components, with enable_wind the 2 integer wind indices,
then 2 dispersion values per physics step including the one reset() makes). They are reconstructed from a replica generator seeded like
the env's and checked against the env's generator state after every step.
"""
import argparse
import json
import os
import re
import subprocess
import sys

GYMNASIUM_REQUIREMENT = "gymnasium[box2d,mujoco]==1.4.0"
MUJOCO_REQUIREMENT = "mujoco==4.0.0"  # launch/setup pins the same: the C++ envs link its libmujoco
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "tests", "data", "gymnasium")


def ensure_venv(venv, modules):
    """Re-executes this script inside `venv`, creating it and installing gymnasium if needed."""
    if os.path.realpath(sys.prefix) == os.path.realpath(venv):
        return
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", venv])
    try:
        subprocess.check_call([py, "-c", "import " + ", ".join(modules)], stderr=subprocess.DEVNULL)
    except subprocess.CalledProcessError:
        pip = [py, "-m", "pip", "install", "--quiet"]
        try:
            subprocess.check_call(pip + [GYMNASIUM_REQUIREMENT, MUJOCO_REQUIREMENT])
        except subprocess.CalledProcessError:
            # No Box2D wheel for this Python: build it from source, which needs swig.
            subprocess.check_call(pip + ["swig"])
            subprocess.check_call(pip + [GYMNASIUM_REQUIREMENT, MUJOCO_REQUIREMENT])
    os.execv(py, [py] + sys.argv)


def f32(values):
    """float32 values as the shortest decimals that round-trip to the same float32."""
    import numpy as np
    return [float(str(np.float32(v))) for v in np.asarray(values, dtype=np.float32).ravel()]


# ---- action policies: (obs, rng) -> action. Seeded, so the episodes are reproducible. ----------

def cartpole_policy(eps):
    def act(obs, rng):
        if rng.random() < eps:
            return int(rng.integers(2))
        return int(obs[2] + 0.5 * obs[3] > 0)
    return act


def acrobot_policy(eps):
    def act(obs, rng):  # pump energy: torque along the second joint's velocity
        if rng.random() < eps:
            return int(rng.integers(3))
        return 2 if obs[5] > 0 else 0
    return act


def mountain_car_policy(eps):
    def act(obs, rng):  # push along the velocity
        if rng.random() < eps:
            return int(rng.integers(3))
        return 2 if obs[1] > 0 else 0
    return act


def pendulum_policy(obs, rng):
    return f32([rng.uniform(-2.0, 2.0)])


def lunar_policy(eps, continuous):
    from gymnasium.envs.box2d.lunar_lander import heuristic

    class Unwrapped:  # heuristic() only reads env.unwrapped.continuous
        pass
    fake = Unwrapped()
    fake.unwrapped = Unwrapped()
    fake.unwrapped.continuous = continuous

    def act(obs, rng):
        if rng.random() < eps:
            return f32(rng.uniform(-1, 1, size=2)) if continuous else int(rng.integers(4))
        a = heuristic(fake, obs)
        return f32(a) if continuous else int(a)
    return act


def mujoco_random(obs, rng, space):
    return f32(rng.uniform(space.low, space.high))


def pendulum_balance(obs, rng, space):  # InvertedPendulum: a noisy PD controller that holds the pole
    import numpy as np
    a = obs[0] + 10 * obs[1] + obs[2] + obs[3] + rng.normal(0, 0.3)
    return f32(np.clip([a], space.low, space.high))


def mujoco_sine(obs, rng, space):  # a fixed sequence: each actuator a phase-shifted sinusoid
    import numpy as np
    mujoco_sine.t = getattr(mujoco_sine, "t", -1) + 1
    phase = 0.3 * mujoco_sine.t + np.arange(space.shape[0])
    return f32(0.8 * space.high * np.sin(phase))


# ---- recording -------------------------------------------------------------------------------

def record_classic(env_id, episodes):
    import gymnasium as gym
    import numpy as np
    env = gym.make(env_id)
    out = []
    for seed, policy in episodes:
        obs, _ = env.reset(seed=seed)
        rng = np.random.default_rng(1000 + seed)
        ep = {"seed": seed, "initial_state": [float(v) for v in env.unwrapped.state],
              "initial_obs": f32(obs), "actions": [], "obs": [], "rewards": [],
              "terminated": [], "truncated": []}
        done = False
        while not done:
            a = policy(obs, rng)
            obs, reward, terminated, truncated, _ = env.step(np.array(a, dtype=np.float32)
                                                             if isinstance(a, list) else a)
            ep["actions"].append(a)
            ep["obs"].append(f32(obs))
            ep["rewards"].append(float(reward))
            ep["terminated"].append(int(terminated))
            ep["truncated"].append(int(truncated))
            done = terminated or truncated
        out.append(ep)
    return {"max_episode_steps": env.spec.max_episode_steps, "episodes": out}


def record_mujoco(env_id, kwargs, episodes, keep_obs=30, obs_every=25):
    import gymnasium as gym
    import numpy as np
    env = gym.make(env_id, **kwargs)
    out = []
    for seed, policy, *cap in episodes:  # cap: stop recording after that many steps
        obs, _ = env.reset(seed=seed)
        mujoco_sine.t = -1
        rng = np.random.default_rng(1000 + seed)
        ep = {"seed": seed, "initial_state": [float(v) for v in env.unwrapped.state_vector()],
              "initial_obs": f32(obs), "actions": [], "obs": [], "obs_steps": [], "rewards": [],
              "terminated": [], "truncated": []}
        done = False
        t = 0
        while not done:
            a = policy(obs, rng, env.action_space)
            obs, reward, terminated, truncated, _ = env.step(np.array(a, dtype=np.float32))
            done = terminated or truncated or (cap and t + 1 == cap[0])
            ep["actions"].append(a)
            if t < keep_obs or t % obs_every == 0 or done:
                ep["obs_steps"].append(t)
                ep["obs"].append(f32(obs))
            ep["rewards"].append(float(reward))
            ep["terminated"].append(int(terminated))
            ep["truncated"].append(int(truncated))
            t += 1
        out.append(ep)
    return {"max_episode_steps": env.spec.max_episode_steps, "episodes": out}


class DrawReplica:
    """A generator seeded like gymnasium's env.np_random, replaying its uniform() draws."""

    def __init__(self, seed):
        from gymnasium.utils import seeding
        self.gen, _ = seeding.np_random(seed)
        self.draws = []

    def uniform(self, low, high, size=None):
        import numpy as np
        self.draws.extend(float(x) for x in np.atleast_1d(self.gen.uniform(low, high, size)))

    def integers(self, low, high):
        self.draws.append(float(self.gen.integers(low, high)))

    def check(self, env):
        assert self.gen.bit_generator.state == env.unwrapped.np_random.bit_generator.state, \
            "LunarLander consumed random draws this recorder does not reproduce"


def record_lunar(continuous, wind, episodes):
    import gymnasium as gym
    import numpy as np
    from gymnasium.envs.box2d import lunar_lander as ll
    env = gym.make("LunarLander-v3", continuous=continuous, enable_wind=wind)
    H = ll.VIEWPORT_H / ll.SCALE
    out = []
    for seed, policy in episodes:
        obs, _ = env.reset(seed=seed)
        replica = DrawReplica(seed)
        replica.uniform(0, H / 2, size=(12,))                  # terrain heights
        replica.uniform(-ll.INITIAL_RANDOM, ll.INITIAL_RANDOM)  # initial force x
        replica.uniform(-ll.INITIAL_RANDOM, ll.INITIAL_RANDOM)  # initial force y
        if wind:
            replica.integers(-9999, 9999)                      # wind_idx
            replica.integers(-9999, 9999)                      # torque_idx
        replica.uniform(-1.0, 1.0)                             # dispersion of reset's step
        replica.uniform(-1.0, 1.0)
        replica.check(env)
        rng = np.random.default_rng(1000 + seed)
        ep = {"seed": seed, "initial_obs": f32(obs), "actions": [], "obs": [], "rewards": [],
              "terminated": [], "truncated": []}
        done = False
        while not done:
            a = policy(obs, rng)
            obs, reward, terminated, truncated, _ = env.step(np.array(a, dtype=np.float32)
                                                             if continuous else a)
            replica.uniform(-1.0, 1.0)
            replica.uniform(-1.0, 1.0)
            replica.check(env)
            ep["actions"].append(a)
            ep["obs"].append(f32(obs))
            ep["rewards"].append(float(reward))
            ep["terminated"].append(int(terminated))
            ep["truncated"].append(int(truncated))
            done = terminated or truncated
        ep["draws"] = replica.draws
        out.append(ep)
    return {"max_episode_steps": env.spec.max_episode_steps, "episodes": out}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default=DEFAULT_OUT)
    p.add_argument("--venv", default="/tmp/shmrl-gym-venv")
    p.add_argument("--only", default="", help="record only the files whose name matches this regex")
    args = p.parse_args()
    only = re.compile(args.only)
    box2d = any(only.search(n) for n in ("LunarLander-v3", "LunarLander-v3-continuous",
                                          "LunarLander-v3-wind"))
    ensure_venv(args.venv, ["gymnasium", "mujoco"] + (["Box2D"] if box2d else []))

    os.makedirs(args.out, exist_ok=True)
    # (seed, policy) per episode. Noise levels are chosen so each env has terminations and, for
    # the classic envs, at least one time-limit truncation (the script asserts both below).
    plans = {
        "CartPole-v1": [(0, cartpole_policy(1.0)), (1, cartpole_policy(1.0)),
                        (2, cartpole_policy(0.3)), (3, cartpole_policy(0.05))],
        "Acrobot-v1": [(0, acrobot_policy(0.1)), (1, acrobot_policy(1.0)),
                       (2, acrobot_policy(0.5))],
        "MountainCar-v0": [(0, mountain_car_policy(0.0)), (1, mountain_car_policy(1.0)),
                           (2, mountain_car_policy(0.2))],
        "Pendulum-v1": [(0, pendulum_policy), (1, pendulum_policy)],
    }
    for env_id, episodes in plans.items():
        if not only.search(env_id):
            continue
        data = record_classic(env_id, episodes)
        write(args.out, env_id, {"env_id": env_id, "kwargs": {}}, data, need_truncation=True)
    lunar = {  # name: (continuous, wind, kwargs)
        "LunarLander-v3": (False, False, {}),
        "LunarLander-v3-continuous": (True, False, {"continuous": "true"}),
        "LunarLander-v3-wind": (False, True, {"enable_wind": "true"}),
    }
    for name, (continuous, wind, kwargs) in lunar.items():
        if not only.search(name):
            continue
        data = record_lunar(continuous, wind, [(0, lunar_policy(0.0, continuous)),
                                               (1, lunar_policy(0.2, continuous)),
                                               (2, lunar_policy(1.0, continuous))])
        write(args.out, name, {"env_id": "LunarLander-v3", "kwargs": kwargs}, data,
              need_truncation=False)

    # name: (env id, kwargs as Gymnasium takes them, kwargs as shmrl's text, episodes)
    r, sine = mujoco_random, mujoco_sine
    mujoco_plans = {
        "HalfCheetah-v5": ("HalfCheetah-v5", {}, {}, [(0, r), (1, sine, 200)]),
        "HalfCheetah-v5-kwargs": ("HalfCheetah-v5", {"exclude_current_positions_from_observation": False,
                                                     "ctrl_cost_weight": 0.3, "frame_skip": 4},
                                  {"exclude_current_positions_from_observation": "false",
                                   "ctrl_cost_weight": "0.3", "frame_skip": "4"}, [(2, r, 200)]),
        "Hopper-v5": ("Hopper-v5", {}, {}, [(0, r), (1, r), (2, sine), (3, r)]),
        "Walker2d-v5": ("Walker2d-v5", {}, {}, [(0, r), (1, r), (2, sine), (3, r)]),
        "Ant-v5": ("Ant-v5", {}, {}, [(0, r), (1, r), (2, sine)]),
        "Ant-v5-kwargs": ("Ant-v5", {"healthy_z_range": (0.5, 1.0),
                                     "include_cfrc_ext_in_observation": False},
                          {"healthy_z_range": "[0.5, 1.0]", "include_cfrc_ext_in_observation": "false"},
                          [(3, r)]),
        "Humanoid-v5": ("Humanoid-v5", {}, {}, [(0, r), (1, sine)]),
        "HumanoidStandup-v5": ("HumanoidStandup-v5", {}, {}, [(0, r, 100), (1, sine, 40)]),
        "InvertedPendulum-v5": ("InvertedPendulum-v5", {}, {},
                                [(0, pendulum_balance), (1, r), (2, sine)]),
        "InvertedDoublePendulum-v5": ("InvertedDoublePendulum-v5", {}, {}, [(0, r), (1, sine)]),
        "InvertedDoublePendulum-v5-kwargs": ("InvertedDoublePendulum-v5",
                                             {"healthy_reward": 5.0, "frame_skip": 3},
                                             {"healthy_reward": "5", "frame_skip": "3"}, [(2, r)]),
        "Reacher-v5": ("Reacher-v5", {}, {}, [(0, r), (1, sine)]),
        "Reacher-v5-kwargs": ("Reacher-v5", {"reward_dist_weight": 2.0, "reward_control_weight": 0.5},
                              {"reward_dist_weight": "2", "reward_control_weight": "0.5"}, [(2, r)]),
        "Pusher-v5": ("Pusher-v5", {}, {}, [(0, r), (1, sine)]),
        "Swimmer-v5": ("Swimmer-v5", {}, {}, [(0, r), (1, sine, 300)]),
        "Swimmer-v5-kwargs": ("Swimmer-v5", {"exclude_current_positions_from_observation": False,
                                             "ctrl_cost_weight": 1e-3},
                              {"exclude_current_positions_from_observation": "false",
                               "ctrl_cost_weight": "0.001"}, [(2, r, 100)]),
    }
    for name, (env_id, gym_kwargs, kwargs, episodes) in mujoco_plans.items():
        if not only.search(name):
            continue
        # The humanoids' observations have 348 values: fewer of them stored.
        keep = {"Humanoid-v5": {"keep_obs": 8, "obs_every": 5},
                "HumanoidStandup-v5": {"keep_obs": 8, "obs_every": 10}}.get(env_id, {})
        data = record_mujoco(env_id, gym_kwargs, episodes, **keep)
        write(args.out, name, {"env_id": env_id, "kwargs": kwargs}, data,
              need_truncation=name in ("HalfCheetah-v5", "InvertedPendulum-v5", "Reacher-v5", "Pusher-v5",
                                       "Swimmer-v5"))


# Envs without a termination condition: their recordings end by the time limit or a cap.
NEVER_TERMINATE = ("Pendulum-v1", "HalfCheetah-v5", "HumanoidStandup-v5", "Reacher-v5", "Pusher-v5",
                   "Swimmer-v5")


def write(out_dir, name, header, data, need_truncation):
    import gymnasium
    eps = data["episodes"]
    ends = [("terminated" if e["terminated"][-1] else "truncated" if e["truncated"][-1] else "cut")
            for e in eps]
    assert "terminated" in ends or header["env_id"] in NEVER_TERMINATE, \
        f"{name}: no episode terminates"
    assert not need_truncation or "truncated" in ends, f"{name}: no episode reaches the limit"
    doc = {**header, "gymnasium_version": gymnasium.__version__, **data}
    path = os.path.join(out_dir, name + ".json")
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    print(f"{path}: {len(eps)} episodes, lengths {[len(e['actions']) for e in eps]}, ends {ends}")


if __name__ == "__main__":
    main()
