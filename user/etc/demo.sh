# The scripted tour `make demo` runs: strace on Loupe, in five steps.
echo
echo '== 1. strace /bin/hello world: every system call a program makes'
strace /bin/hello world
echo
echo '== 2. strace -f sh -c "echo hi | cat": following forks across a pipeline'
strace -f sh -c 'echo hi | cat'
echo
echo '== 3. strace -c ls /bin: the summary table'
strace -c ls /bin > /dev/null
echo
echo '== 4. strace -e trace=write ls /tests: the kernel skips the other calls'
strace -e trace=write ls /tests
echo
echo '== 5. strace -p: attaching to a process that is already running'
sleep 1 &
strace -p $!
echo
echo '== That was the tour. `make run` gives you the shell to try your own.'
