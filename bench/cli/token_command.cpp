// flowbench token: prints an HS256 token for the gateway (gateway/README.md), minted with
// libjwt from the same secret the gateway checks with:
//   flowbench token --role customer --jwt-secret-file secret.txt --ttl 1h
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "bench/cli/commands.hpp"
#include "bench/cli/gateway_launch.hpp"
#include "common/infra/infra.hpp"
#include "gateway/jwt_tokens.hpp"

namespace flowbench::cli {

void AddTokenCommand(CLI::App& app) {
  struct TokenOptions {
    gateway::SecretSource secret;
    gateway::JwtSettings jwt;
    gateway::MintRequest mint;
    std::string ttl = "1h";
    infra::InfraOptions infra;  // --state-dir: the secret `flowbench up --gateway` made
  };
  auto options = std::make_shared<TokenOptions>();
  CLI::App* command = app.add_subcommand("token", "print a JWT for the gateway (HS256, libjwt)");
  command->add_option("--role", options->mint.role, "customer (reads and writes) or viewer (reads)")
      ->check(CLI::IsMember({"customer", "viewer"}))
      ->capture_default_str();
  command
      ->add_option("--subject", options->mint.subject,
                   "the sub claim: whose rate limit it counts against")
      ->capture_default_str();
  command->add_option("--ttl", options->ttl, "valid for: 90s, 15m, 1h, 2d")->capture_default_str();
  command->add_option("--jwt-secret-file", options->secret.file, "file holding the HS256 secret");
  command->add_option("--jwt-secret", options->secret.value,
                      "the secret itself (else --jwt-secret-file or FLOWBENCH_JWT_SECRET)");
  command->add_option("--jwt-issuer", options->jwt.issuer, "iss")->capture_default_str();
  command->add_option("--jwt-audience", options->jwt.audience, "aud")->capture_default_str();
  command
      ->add_option("--state-dir", options->infra.state_dir,
                   "without another secret: the one `flowbench up --gateway` keeps here")
      ->envname("FLOWBENCH_STATE_DIR")
      ->capture_default_str();
  command->callback([options] {
    std::filesystem::path made_by_up = options->infra.state_dir / "jwt-secret";
    bool no_other = options->secret.file.empty() && options->secret.value.empty() &&
                    std::getenv("FLOWBENCH_JWT_SECRET") == nullptr;
    if (no_other && std::filesystem::exists(made_by_up)) options->secret.file = made_by_up;
    options->jwt.secret = gateway::ResolveSecret(options->secret);
    options->mint.ttl = gateway::ParseTtl(options->ttl);
    options->mint.now = std::chrono::system_clock::now();
    std::cout << gateway::MintToken(options->jwt, options->mint) << "\n";
  });
}

}  // namespace flowbench::cli
