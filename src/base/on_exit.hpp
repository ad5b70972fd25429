#pragma once
// Runs a function when the scope it is declared in ends, however it ends (a return, an
// exception, or a coroutine frame destroyed while suspended).
#include <utility>

namespace vela::base {

template <class Fn>
class OnExit {
 public:
  explicit OnExit(Fn fn) : fn_(std::move(fn)) {}
  OnExit(const OnExit&) = delete;
  OnExit& operator=(const OnExit&) = delete;
  ~OnExit() { fn_(); }

 private:
  Fn fn_;
};

}  // namespace vela::base
