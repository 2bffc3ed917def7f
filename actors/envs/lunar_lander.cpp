#include "actors/envs/lunar_lander.h"

#include <box2d/box2d.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "actors/envs/obs.h"

namespace shmrl::envs {

namespace {
// Gymnasium's constants (world units are pixels / SCALE).
constexpr double kFps = 50, kScale = 30.0;
constexpr double kMainEnginePower = 13.0, kSideEnginePower = 0.6, kInitialRandom = 1000.0;
constexpr double kLanderPoly[6][2] = {{-14, 17}, {-17, 0}, {-17, -10}, {17, -10}, {17, 0}, {14, 17}};
constexpr double kLegAway = 20, kLegDown = 18, kLegW = 2, kLegH = 8, kLegSpringTorque = 40;
constexpr double kSideEngineHeight = 14, kSideEngineAway = 12, kMainEngineYLocation = 4;
constexpr double kW = 600 / kScale, kH = 400 / kScale;  // viewport in world units
constexpr int kChunks = 11;

b2Vec2 vec(double x, double y) { return b2Vec2(static_cast<float>(x), static_cast<float>(y)); }
}  // namespace

// Gymnasium's ContactDetector: any contact of the lander body ends the game; legs report ground.
struct LunarLander::Contacts final : b2ContactListener {
  b2Body* lander = nullptr;
  b2Body* legs[2] = {nullptr, nullptr};
  bool game_over = false;
  bool ground[2] = {false, false};

  void BeginContact(b2Contact* c) override {
    b2Body* a = c->GetFixtureA()->GetBody();
    b2Body* b = c->GetFixtureB()->GetBody();
    if (a == lander || b == lander) game_over = true;
    for (int i = 0; i < 2; ++i)
      if (a == legs[i] || b == legs[i]) ground[i] = true;
  }
  void EndContact(b2Contact* c) override {
    b2Body* a = c->GetFixtureA()->GetBody();
    b2Body* b = c->GetFixtureB()->GetBody();
    for (int i = 0; i < 2; ++i)
      if (a == legs[i] || b == legs[i]) ground[i] = false;
  }
};

LunarLander::LunarLander(const EnvKwargs& kwargs) : contacts_(std::make_unique<Contacts>()) {
  KwargReader kw("LunarLander-v3", kwargs);
  continuous_ = kw.get_bool("continuous", false);
  gravity_ = kw.get_double("gravity", -10.0, -12.0, 0.0);
  if (gravity_ <= -12.0 || gravity_ >= 0.0)
    throw std::invalid_argument("LunarLander-v3: kwarg 'gravity' must be in (-12, 0)");
  enable_wind_ = kw.get_bool("enable_wind", false);
  wind_power_ = kw.get_double("wind_power", 15.0, 0.0, 20.0);
  turbulence_power_ = kw.get_double("turbulence_power", 1.5, 0.0, 2.0);
  kw.finish();
  const float pi2 = static_cast<float>(2 * M_PI);
  obs_space_ = Space::box({8}, {-2.5f, -2.5f, -10.f, -10.f, -pi2, -10.f, -0.f, -0.f},
                          {2.5f, 2.5f, 10.f, 10.f, pi2, 10.f, 1.f, 1.f});
  action_space_ = continuous_ ? Space::box({2}, {-1, -1}, {1, 1}) : Space::discrete(4);
}

LunarLander::~LunarLander() = default;

void LunarLander::script_draws(std::vector<double> draws) {
  script_ = std::move(draws);
  script_pos_ = 0;
}

double LunarLander::draw(double low, double high) {
  if (script_pos_ < script_.size()) return script_[script_pos_++];
  return rng_.uniform(low, high);
}

void LunarLander::build_world() {
  world_ = std::make_unique<b2World>(b2Vec2(0.0f, static_cast<float>(gravity_)));
  world_->SetContactListener(contacts_.get());
  *contacts_ = Contacts{};

  double height[kChunks + 1];
  for (double& h : height) h = draw(0, kH / 2);
  double chunk_x[kChunks];
  for (int i = 0; i < kChunks; ++i) chunk_x[i] = kW / (kChunks - 1) * i;
  helipad_y_ = kH / 4;
  for (int i = kChunks / 2 - 2; i <= kChunks / 2 + 2; ++i) height[i] = helipad_y_;
  double smooth_y[kChunks];
  for (int i = 0; i < kChunks; ++i)  // Python's height[-1] is the last element
    smooth_y[i] = 0.33 * (height[i == 0 ? kChunks : i - 1] + height[i] + height[i + 1]);

  b2BodyDef moon_def;
  b2Body* moon = world_->CreateBody(&moon_def);
  b2EdgeShape edge;
  edge.SetTwoSided(vec(0, 0), vec(kW, 0));
  b2FixtureDef bottom;  // pybox2d's default fixture: friction 0.2, density 0
  bottom.shape = &edge;
  moon->CreateFixture(&bottom);
  for (int i = 0; i < kChunks - 1; ++i) {
    edge.SetTwoSided(vec(chunk_x[i], smooth_y[i]), vec(chunk_x[i + 1], smooth_y[i + 1]));
    b2FixtureDef fd;
    fd.shape = &edge;
    fd.density = 0;
    fd.friction = 0.1f;
    moon->CreateFixture(&fd);
  }

  const double initial_x = kW / 2, initial_y = kH;
  b2BodyDef lander_def;
  lander_def.type = b2_dynamicBody;
  lander_def.position = vec(initial_x, initial_y);
  lander_def.angle = 0;
  lander_ = world_->CreateBody(&lander_def);
  b2Vec2 poly[6];
  for (int i = 0; i < 6; ++i) poly[i] = vec(kLanderPoly[i][0] / kScale, kLanderPoly[i][1] / kScale);
  b2PolygonShape lander_shape;
  lander_shape.Set(poly, 6);
  b2FixtureDef lander_fd;
  lander_fd.shape = &lander_shape;
  lander_fd.density = 5.0f;
  lander_fd.friction = 0.1f;
  lander_fd.filter.categoryBits = 0x0010;
  lander_fd.filter.maskBits = 0x001;  // collide only with the ground
  lander_fd.restitution = 0.0f;
  lander_->CreateFixture(&lander_fd);
  const double fx = draw(-kInitialRandom, kInitialRandom);
  const double fy = draw(-kInitialRandom, kInitialRandom);
  lander_->ApplyForceToCenter(vec(fx, fy), true);
  if (enable_wind_) {  // numpy's integers(-9999, 9999): the high end is excluded
    wind_idx_ = static_cast<int64_t>(std::floor(draw(-9999, 9999)));
    torque_idx_ = static_cast<int64_t>(std::floor(draw(-9999, 9999)));
  }

  for (int k = 0; k < 2; ++k) {
    const int i = k == 0 ? -1 : 1;
    b2BodyDef leg_def;
    leg_def.type = b2_dynamicBody;
    leg_def.position = vec(initial_x - i * kLegAway / kScale, initial_y);
    leg_def.angle = static_cast<float>(i * 0.05);
    legs_[k] = world_->CreateBody(&leg_def);
    b2PolygonShape leg_shape;
    leg_shape.SetAsBox(static_cast<float>(kLegW / kScale), static_cast<float>(kLegH / kScale));
    b2FixtureDef leg_fd;
    leg_fd.shape = &leg_shape;
    leg_fd.density = 1.0f;
    leg_fd.restitution = 0.0f;
    leg_fd.filter.categoryBits = 0x0020;
    leg_fd.filter.maskBits = 0x001;
    legs_[k]->CreateFixture(&leg_fd);
    b2RevoluteJointDef rjd;
    rjd.bodyA = lander_;
    rjd.bodyB = legs_[k];
    rjd.localAnchorA = vec(0, 0);
    rjd.localAnchorB = vec(i * kLegAway / kScale, kLegDown / kScale);
    // pybox2d's revoluteJointDef(bodyA=, bodyB=) sets the reference angle from the bodies.
    rjd.referenceAngle = legs_[k]->GetAngle() - lander_->GetAngle();
    rjd.enableMotor = true;
    rjd.enableLimit = true;
    rjd.maxMotorTorque = static_cast<float>(kLegSpringTorque);
    rjd.motorSpeed = static_cast<float>(0.3 * i);  // low enough not to jump back into the sky
    rjd.lowerAngle = static_cast<float>(i == -1 ? 0.9 - 0.5 : -0.9);
    rjd.upperAngle = static_cast<float>(i == -1 ? 0.9 : -0.9 + 0.5);
    world_->CreateJoint(&rjd);
  }
  contacts_->lander = lander_;
  contacts_->legs[0] = legs_[0];
  contacts_->legs[1] = legs_[1];
}

void LunarLander::reset(uint64_t seed, std::byte* obs) {
  rng_.reseed(seed);
  has_prev_shaping_ = false;
  build_world();
  advance(0.0, 0.0, obs);  // Gymnasium's reset returns the observation of a no-op step
}

StepResult LunarLander::step(const void* action, std::byte* obs) {
  if (!continuous_) {
    const int32_t a = read_action<int32_t>(action);
    return advance(a == 2 ? 1.0 : 0.0, a == 1 ? -1.0 : a == 3 ? 1.0 : 0.0, obs);
  }
  float a[2];
  std::memcpy(a, action, sizeof a);
  return advance(std::clamp<double>(a[0], -1, 1), std::clamp<double>(a[1], -1, 1), obs);
}

// main/lateral as Gymnasium's continuous action (the discrete one maps to -1/0/1 values with the
// same effect: full power, side direction -1 or +1).
StepResult LunarLander::advance(double main, double lateral, std::byte* obs) {
  Contacts& c = *contacts_;
  if (enable_wind_ && !(c.ground[0] || c.ground[1])) {
    const double wind_mag =
        std::tanh(std::sin(0.02 * wind_idx_) + std::sin(M_PI * 0.01 * wind_idx_)) * wind_power_;
    ++wind_idx_;
    lander_->ApplyForceToCenter(vec(wind_mag, 0.0), true);
    const double torque_mag =
        std::tanh(std::sin(0.02 * torque_idx_) + std::sin(M_PI * 0.01 * torque_idx_)) *
        turbulence_power_;
    ++torque_idx_;
    lander_->ApplyTorque(static_cast<float>(torque_mag), true);
  }

  const double angle = lander_->GetAngle();
  const double tip[2] = {std::sin(angle), std::cos(angle)};
  const double side[2] = {-tip[1], tip[0]};
  double dispersion[2];
  for (double& d : dispersion) d = draw(-1.0, 1.0) / kScale;

  double m_power = 0.0;
  if (main > 0.0) {
    m_power = continuous_ ? (std::clamp(main, 0.0, 1.0) + 1.0) * 0.5 : 1.0;
    const double ox = tip[0] * (kMainEngineYLocation / kScale + 2 * dispersion[0]) +
                      side[0] * dispersion[1];
    const double oy = -tip[1] * (kMainEngineYLocation / kScale + 2 * dispersion[0]) -
                      side[1] * dispersion[1];
    const b2Vec2 pos = lander_->GetPosition();
    lander_->ApplyLinearImpulse(
        vec(-ox * kMainEnginePower * m_power, -oy * kMainEnginePower * m_power),
        vec(pos.x + ox, pos.y + oy), true);
  }
  double s_power = 0.0;
  if (std::fabs(lateral) > 0.5) {
    const double direction = lateral > 0 ? 1.0 : -1.0;
    s_power = continuous_ ? std::clamp(std::fabs(lateral), 0.5, 1.0) : 1.0;
    const double ox = tip[0] * dispersion[0] +
                      side[0] * (3 * dispersion[1] + direction * kSideEngineAway / kScale);
    const double oy = -tip[1] * dispersion[0] -
                      side[1] * (3 * dispersion[1] + direction * kSideEngineAway / kScale);
    const b2Vec2 pos = lander_->GetPosition();
    lander_->ApplyLinearImpulse(
        vec(-ox * kSideEnginePower * s_power, -oy * kSideEnginePower * s_power),
        vec(pos.x + ox - tip[0] * 17 / kScale, pos.y + oy + tip[1] * kSideEngineHeight / kScale),
        true);
  }

  world_->Step(static_cast<float>(1.0 / kFps), 6 * 30, 2 * 30);

  double s[8];
  observe(s);
  write_f32(obs, s);

  StepResult r;
  const double shaping = -100 * std::sqrt(s[0] * s[0] + s[1] * s[1]) -
                         100 * std::sqrt(s[2] * s[2] + s[3] * s[3]) - 100 * std::fabs(s[4]) +
                         10 * s[6] + 10 * s[7];
  if (has_prev_shaping_) r.reward = shaping - prev_shaping_;
  prev_shaping_ = shaping;
  has_prev_shaping_ = true;
  r.reward -= m_power * 0.30;  // less fuel spent is better
  r.reward -= s_power * 0.03;
  if (c.game_over || std::fabs(s[0]) >= 1.0) {
    r.terminated = true;
    r.reward = -100;
  }
  if (!lander_->IsAwake()) {
    r.terminated = true;
    r.reward = +100;
  }
  return r;
}

void LunarLander::observe(double s[8]) const {
  const b2Vec2 pos = lander_->GetPosition();
  const b2Vec2 vel = lander_->GetLinearVelocity();
  s[0] = (pos.x - kW / 2) / (kW / 2);
  s[1] = (pos.y - (helipad_y_ + kLegDown / kScale)) / (kH / 2);
  s[2] = vel.x * (kW / 2) / kFps;
  s[3] = vel.y * (kH / 2) / kFps;
  s[4] = lander_->GetAngle();
  s[5] = 20.0 * lander_->GetAngularVelocity() / kFps;
  s[6] = contacts_->ground[0] ? 1.0 : 0.0;
  s[7] = contacts_->ground[1] ? 1.0 : 0.0;
}

std::vector<double> LunarLander::state() const {
  if (!world_) throw std::logic_error("LunarLander-v3: state() before reset()");
  std::vector<double> s;
  for (const b2Body* b : {lander_, legs_[0], legs_[1]}) {
    const b2Vec2 p = b->GetPosition(), v = b->GetLinearVelocity();
    s.insert(s.end(), {p.x, p.y, b->GetAngle(), v.x, v.y, b->GetAngularVelocity()});
  }
  s.insert(s.end(), {double(contacts_->ground[0]), double(contacts_->ground[1]),
                     double(contacts_->game_over), prev_shaping_});
  return s;
}

void LunarLander::set_state(std::span<const double> state, std::byte* obs) {
  if (!world_) throw std::logic_error("LunarLander-v3: set_state() before reset()");
  if (state.size() != 22)
    throw std::invalid_argument("LunarLander-v3: set_state needs 22 values, got " +
                                std::to_string(state.size()));
  b2Body* bodies[3] = {lander_, legs_[0], legs_[1]};
  for (int i = 0; i < 3; ++i) {
    const double* b = &state[6 * i];
    bodies[i]->SetTransform(vec(b[0], b[1]), static_cast<float>(b[2]));
    bodies[i]->SetLinearVelocity(vec(b[3], b[4]));
    bodies[i]->SetAngularVelocity(static_cast<float>(b[5]));
    bodies[i]->SetAwake(true);
  }
  contacts_->ground[0] = state[18] != 0;
  contacts_->ground[1] = state[19] != 0;
  contacts_->game_over = state[20] != 0;
  prev_shaping_ = state[21];
  has_prev_shaping_ = true;
  double s[8];
  observe(s);
  write_f32(obs, s);
}

}  // namespace shmrl::envs
