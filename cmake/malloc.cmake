# The executables' allocator: tcmalloc (Debian's libgoogle-perftools-dev) where it is installed.
# LibTorch's static initialisation (operator registration, about 0.2 s before main() on this machine)
# makes hundreds of thousands of small allocations; with tcmalloc the launcher reaches main() about a
# third sooner (docs/tuning.md, "Start-up"). Sanitizer builds keep their own allocator.
option(SHMRL_TCMALLOC "Link the executables against tcmalloc when it is installed" ON)
add_library(shmrl_malloc INTERFACE)
add_library(shmrl::malloc ALIAS shmrl_malloc)
set(SHMRL_TCMALLOC_LINKED OFF)
if(SHMRL_TCMALLOC AND SHMRL_SANITIZE STREQUAL "")
  find_library(SHMRL_TCMALLOC_LIBRARY tcmalloc_minimal)
  if(SHMRL_TCMALLOC_LIBRARY)
    # --no-as-needed: nothing calls into it by name; it only has to come before libc in the lookup.
    target_link_libraries(shmrl_malloc INTERFACE "-Wl,--push-state,--no-as-needed" ${SHMRL_TCMALLOC_LIBRARY}
                          "-Wl,--pop-state")
    set(SHMRL_TCMALLOC_LINKED ON)
    message(STATUS "shmrl: executables allocate through ${SHMRL_TCMALLOC_LIBRARY}")
  else()
    message(STATUS "shmrl: tcmalloc not found (Debian: libgoogle-perftools-dev): glibc malloc, slower start-up")
  endif()
endif()
