#include "actors/actor_process.h"

#include <csignal>
#include <exception>
#include <iostream>

#include "actors/actor.h"
#include "common/shm/segment.h"
#include "common/stop_signal.h"

namespace shmrl::actors {
int run_actor_process(const ActorProcessArgs& args) {
  install_stop_handlers({SIGTERM, SIGINT});
  RunContext run;
  const bool standalone = args.run_id.empty();
  try {
    if (standalone) {
      run = RunContext{shm::new_run_id(), ProcessId::self(), args.run_dir};
    } else {
      if (args.owner_pid <= 0)
        throw std::invalid_argument("--owner-pid is required with --run-id");
      die_with_parent(SIGTERM, args.owner_pid);
      run = RunContext{args.run_id, ProcessId::of(args.owner_pid), args.run_dir};
    }
    ActorOptions opts = ActorOptions::from_toml_file(args.config);
    opts.actor_id = args.actor_id;
    opts.num_actors = args.num_actors;
    if (args.seed) opts.seed = *args.seed;
    opts.max_steps = args.max_steps;
    opts.validate();

    Actor actor(opts, run, stop_flag());
    std::cerr << "actor " << opts.actor_id << "/" << opts.num_actors << ": " << opts.env_id << " x"
              << opts.envs_per_actor << ", epsilon " << actor.epsilons().back() << ".."
              << actor.epsilons().front() << ", run " << run.run_id
              << "\n";
    actor.run();
    std::cerr << "actor " << opts.actor_id << ": stopped after " << actor.env_steps()
              << " env steps, " << actor.writer().committed() << " records in the ring\n";
  } catch (const std::exception& e) {
    std::cerr << "shmrl actor: error: " << e.what() << "\n";
    if (standalone) shm::remove_run(run.run_id);
    return 1;
  }
  if (standalone) shm::remove_run(run.run_id);
  return 0;
}

}  // namespace shmrl::actors
