fn main() -> std::process::ExitCode {
    gitsm::main()
}
