#!/usr/bin/env python3
"""Generate compiler/tables/syscalls.c and compiler/tables/constants.c.

They hold data only (the tables declared in table_data.h); the lookups over
them are hand-written C in lookup.c.

Run from anywhere:  python3 compiler/tables/gen_tables.py
The output depends only on the installed headers below and on the hand-written
lists in this file, so running it twice gives identical files.

What it reads (Debian 12 packages):

  linux-libc-dev                      the kernel UAPI headers as userspace gets them
      /usr/include/linux, /usr/include/asm-generic
      /usr/include/x86_64-linux-gnu/asm        (x86 UAPI; asm/unistd.h picks
          unistd_64.h, unistd_32.h or unistd_x32.h by -m64/-m32/-mx32)
  linux-headers-6.1.0-N-common        /usr/src/linux-headers-6.1.0-N-common
      include/linux/syscalls.h                 syscall prototypes (signatures)
      arch/arm64/include/uapi/asm/*.h          arm64 UAPI (unistd.h with arm64's
                                               __ARCH_WANT_* list, fcntl.h, ...)
      include/uapi/asm-generic/Kbuild          which asm/ headers arm64 takes
                                               unchanged from asm-generic
      include/linux/{socket,net,splice,fs,eventfd,syslog}.h,
      arch/x86/include/asm/signal.h            a few ABI constants that the
                                               kernel keeps out of its UAPI
                                               headers (AF_*, MSG_*, SOCK_*,
                                               x86's _NSIG, ...)
  linux-headers-6.1.0-N-amd64         /usr/src/linux-headers-6.1.0-N-amd64
      arch/x86/include/generated/asm/syscalls_{64,32,x32}.h
                                               the kernel function behind each
                                               x86 syscall number (so that e.g.
                                               x86_64 "stat" gets sys_newstat's
                                               signature)
  libc6-dev                           /usr/include/unistd.h (R_OK, W_OK, X_OK, F_OK)
  gcc                                 preprocesses the headers and evaluates
                                      every macro by compiling to assembly
                                      (-S with -m64/-m32/-mx32; no 32-bit libc
                                      is needed). aarch64 is evaluated with the
                                      host compiler in LP64 mode against the
                                      arm64 headers.

Hand-written facts live in the ALL_CAPS tables below (supplement syscalls
from Linux 6.2-6.13, signatures the headers do not declare, parameter names
for unnamed prototypes, man-page spellings, name aliases, constant groups).
"""

import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

ARCHES = ['x86_64', 'x86', 'x32', 'aarch64']      # enum arch_id order
X32_BIT = 0x40000000
# Which arch's kernel function gives a name its signature, in order of preference.
SIGNATURE_ARCH_ORDER = ['x86_64', 'aarch64', 'x86', 'x32']

HERE = os.path.dirname(os.path.abspath(__file__))

# --------------------------------------------------------------------------
# Hand-written facts
# --------------------------------------------------------------------------

# Syscalls added in Linux 6.2-6.13 (the installed headers are 6.1). Numbers are
# the same on every arch that has them; x32's number is nr | 0x40000000.
# map_shadow_stack is "64" in syscall_64.tbl (so not x32); Linux 6.6 reserved
# 453 for it in every other table, i386's and the generic one (arm64) too.
SUPPLEMENT_SYSCALLS = [
    # name, nr, arches, signature (C parameter list, kernel names)
    ('cachestat', 451, 'all',
     'unsigned int fd, struct cachestat_range *cstat_range, '
     'struct cachestat *cstat, unsigned int flags'),
    ('fchmodat2', 452, 'all',
     'int dfd, const char *filename, umode_t mode, unsigned int flags'),
    ('map_shadow_stack', 453, ['x86_64', 'x86', 'aarch64'],
     'unsigned long addr, unsigned long size, unsigned int flags'),
    ('futex_wake', 454, 'all',
     'void *uaddr, unsigned long mask, int nr, unsigned int flags'),
    ('futex_wait', 455, 'all',
     'void *uaddr, unsigned long val, unsigned long mask, unsigned int flags, '
     'struct __kernel_timespec *timeout, clockid_t clockid'),
    ('futex_requeue', 456, 'all',
     'struct futex_waitv *waiters, unsigned int flags, int nr_wake, int nr_requeue'),
    ('statmount', 457, 'all',
     'const struct mnt_id_req *req, struct statmount *buf, size_t bufsize, '
     'unsigned int flags'),
    ('listmount', 458, 'all',
     'const struct mnt_id_req *req, u64 *mnt_ids, size_t nr_mnt_ids, '
     'unsigned int flags'),
    ('lsm_get_self_attr', 459, 'all',
     'unsigned int attr, struct lsm_ctx *ctx, u32 *size, u32 flags'),
    ('lsm_set_self_attr', 460, 'all',
     'unsigned int attr, struct lsm_ctx *ctx, u32 size, u32 flags'),
    ('lsm_list_modules', 461, 'all', 'u64 *ids, u32 *size, u32 flags'),
    ('mseal', 462, 'all', 'unsigned long start, size_t len, unsigned long flags'),
    ('setxattrat', 463, 'all',
     'int dfd, const char *pathname, unsigned int at_flags, const char *name, '
     'const struct xattr_args *uargs, size_t usize'),
    ('getxattrat', 464, 'all',
     'int dfd, const char *pathname, unsigned int at_flags, const char *name, '
     'struct xattr_args *uargs, size_t usize'),
    ('listxattrat', 465, 'all',
     'int dfd, const char *pathname, unsigned int at_flags, char *list, size_t size'),
    ('removexattrat', 466, 'all',
     'int dfd, const char *pathname, unsigned int at_flags, const char *name'),
]

# Kernel functions that include/linux/syscalls.h does not declare (arch code),
# or declares without parameter names in a way we override. Keyed by the
# kernel function; the lists are the kernel's SYSCALL_DEFINE parameters.
SUPPLEMENT_SIGNATURES = {
    # arch/x86/kernel/sys_x86_64.c and arch/arm64/kernel/sys.c. prot, flags and
    # fd really are unsigned long there (the kernel reads the full register).
    'sys_mmap': 'unsigned long addr, unsigned long len, unsigned long prot, '
                'unsigned long flags, unsigned long fd, unsigned long off',
    # kernel/fork.c, x86_64 order (!CONFIG_CLONE_BACKWARDS). i386 and arm64 use
    # CLONE_BACKWARDS: flags, newsp, parent_tidptr, tls, child_tidptr.
    'sys_clone': 'unsigned long clone_flags, unsigned long newsp, '
                 'int *parent_tidptr, int *child_tidptr, unsigned long tls',
    'sys_rt_sigreturn': 'void',
    'sys_sigreturn': 'void',
    'sys_arch_prctl': 'int option, unsigned long arg2',
    'sys_iopl': 'unsigned int level',
    'sys_modify_ldt': 'int func, void *ptr, unsigned long bytecount',
    'sys_set_thread_area': 'struct user_desc *u_info',
    'sys_get_thread_area': 'struct user_desc *u_info',
    'sys_vm86old': 'struct vm86_struct *user_vm86',
    'sys_vm86': 'unsigned long cmd, unsigned long arg',
    # x32's entry points for preadv/pwritev(2) and rt_sigreturn (compat code in
    # fs/read_write.c and arch/x86): one 64-bit pos instead of pos_l/pos_h.
    'sys_x32_rt_sigreturn': 'void',
    'sys_preadv64': 'unsigned long fd, const struct iovec *vec, unsigned long vlen, '
                    'loff_t pos',
    'sys_pwritev64': 'unsigned long fd, const struct iovec *vec, unsigned long vlen, '
                     'loff_t pos',
    'sys_preadv64v2': 'unsigned long fd, const struct iovec *vec, unsigned long vlen, '
                      'loff_t pos, rwf_t flags',
    'sys_pwritev64v2': 'unsigned long fd, const struct iovec *vec, unsigned long vlen, '
                       'loff_t pos, rwf_t flags',
}
# Per-arch layouts that differ from the one the table carries; only used to
# report the difference (the table has one signature per name).
ARCH_SIGNATURE_NOTES = {
    ('x86', 'sys_clone'): 'unsigned long clone_flags, unsigned long newsp, '
                          'int *parent_tidptr, unsigned long tls, int *child_tidptr',
    ('aarch64', 'sys_clone'): 'unsigned long clone_flags, unsigned long newsp, '
                              'int *parent_tidptr, unsigned long tls, int *child_tidptr',
}

# Prototypes in syscalls.h that leave the parameters unnamed: the names from
# the kernel's SYSCALL_DEFINE for them (types still come from syscalls.h).
UNNAMED_PARAM_NAMES = {
    'io_submit': 'ctx_id nr iocbpp',
    'pselect6': 'n inp outp exp tsp sig',
    'pselect6_time32': 'n inp outp exp tsp sig',
    'ppoll': 'ufds nfds tsp sigmask sigsetsize',
    'ppoll_time32': 'ufds nfds tsp sigmask sigsetsize',
    'rt_sigaction': 'sig act oact sigsetsize',
    'sigaction': 'sig act oact',
    'socket': 'family type protocol',
    'socketpair': 'family type protocol usockvec',
    'bind': 'fd umyaddr addrlen',
    'listen': 'fd backlog',
    'accept': 'fd upeer_sockaddr upeer_addrlen',
    'accept4': 'fd upeer_sockaddr upeer_addrlen flags',
    'connect': 'fd uservaddr addrlen',
    'getsockname': 'fd usockaddr usockaddr_len',
    'getpeername': 'fd usockaddr usockaddr_len',
    'sendto': 'fd buff len flags addr addr_len',
    'recvfrom': 'fd ubuf size flags addr addr_len',
    'send': 'fd buff len flags',
    'recv': 'fd ubuf size flags',
    'shutdown': 'fd how',
    'old_readdir': 'fd dirent count',
    'uname': 'name',
    'olduname': 'name',
}

# syscalls.h declares some functions more than once under #ifdef CONFIG_*;
# pick the variant with this many parameters (x86 configuration).
DUPLICATE_DECLARATION_CHOICE = {
    'fanotify_mark': 5,   # !CONFIG_ARCH_SPLIT_ARG64: u64 mask
    'sigsuspend': 3,      # x86 selects CONFIG_OLD_SIGSUSPEND3
    'clone': None,        # replaced by SUPPLEMENT_SIGNATURES['sys_clone']
}

# Names users know from the man pages that are not the kernel's __NR_ name.
# Each becomes its own entry with the target's numbers on each arch.
SYSCALL_ALIASES = {
    'fstatat': {'x86_64': 'newfstatat', 'x32': 'newfstatat',
                'aarch64': 'newfstatat', 'x86': 'fstatat64'},
    'pread': {a: 'pread64' for a in ARCHES},
    'pwrite': {a: 'pwrite64' for a in ARCHES},
    'prlimit': {a: 'prlimit64' for a in ARCHES},
    # posix_fadvise(2): "the underlying system call is fadvise64() (or, on some
    # architectures, fadvise64_64())"; glibc on i386 uses fadvise64_64.
    'posix_fadvise': {'x86_64': 'fadvise64', 'x32': 'fadvise64',
                      'aarch64': 'fadvise64', 'x86': 'fadvise64_64'},
    'llseek': {'x86': '_llseek'},
    # x86's own mmap and select (old_mmap, old_select) take one pointer to
    # a struct; their names below reach them.
    'old_mmap': {'x86': 'mmap'},
    'old_select': {'x86': 'select'},
}

# Where the syscall a man-page name stands for has another kernel name on
# one arch: glibc's mmap() is mmap2 on i386, select() is _newselect.
ARCH_KNAME_OVERRIDES = {
    'mmap': {'x86': 'mmap2'},
    'select': {'x86': '_newselect'},
}

# Man-page spellings of kernel parameter names. Global renames apply to every
# syscall; per-syscall ones only where the man page synopsis uses that name.
GLOBAL_PARAM_ALIASES = {'dfd': 'dirfd', 'olddfd': 'olddirfd', 'newdfd': 'newdirfd'}
_SOCKFD = {'fd': 'sockfd'}
PARAM_ALIASES = {
    # files and paths
    'open': {'filename': 'pathname'},
    'openat': {'filename': 'pathname'},
    'openat2': {'filename': 'pathname'},
    'creat': {},
    'execve': {'filename': 'pathname'},
    'execveat': {'filename': 'pathname'},
    'access': {'filename': 'pathname'},
    'faccessat': {'filename': 'pathname'},
    'faccessat2': {'filename': 'pathname'},
    'chmod': {'filename': 'pathname'},
    'fchmodat': {'filename': 'pathname'},
    'fchmodat2': {'filename': 'pathname'},
    'chown': {'filename': 'pathname', 'user': 'owner'},
    'lchown': {'filename': 'pathname', 'user': 'owner'},
    'fchown': {'user': 'owner'},
    'fchownat': {'filename': 'pathname', 'user': 'owner', 'flag': 'flags'},
    'mknod': {'filename': 'pathname'},
    'mknodat': {'filename': 'pathname'},
    'stat': {'filename': 'pathname'},
    'lstat': {'filename': 'pathname'},
    'newfstatat': {'filename': 'pathname', 'flag': 'flags'},
    'fstatat64': {'filename': 'pathname', 'flag': 'flags'},
    'statx': {'path': 'pathname', 'buffer': 'statxbuf'},
    'readlink': {'path': 'pathname'},
    'readlinkat': {'path': 'pathname'},
    'unlinkat': {'flag': 'flags'},
    'link': {'oldname': 'oldpath', 'newname': 'newpath'},
    'linkat': {'oldname': 'oldpath', 'newname': 'newpath'},
    'rename': {'oldname': 'oldpath', 'newname': 'newpath'},
    'renameat': {'oldname': 'oldpath', 'newname': 'newpath'},
    'renameat2': {'oldname': 'oldpath', 'newname': 'newpath'},
    'symlink': {'old': 'target', 'new': 'linkpath'},
    'symlinkat': {'oldname': 'target', 'newname': 'linkpath'},
    'chdir': {'filename': 'path'},
    'chroot': {'filename': 'path'},
    'utimes': {'utimes': 'times'},
    'futimesat': {'filename': 'pathname', 'utimes': 'times'},
    'utimensat': {'filename': 'pathname', 'utimes': 'times'},
    'acct': {'name': 'filename'},
    'name_to_handle_at': {'name': 'pathname', 'mnt_id': 'mount_id', 'flag': 'flags'},
    'open_by_handle_at': {'mountdirfd': 'mount_fd'},
    'inotify_add_watch': {'path': 'pathname'},
    'fanotify_mark': {'fd': 'dirfd'},
    'getdents': {'dirent': 'dirp'},
    'getdents64': {'dirent': 'dirp'},
    'dup': {'fildes': 'oldfd'},
    'pipe': {'fildes': 'pipefd'},
    'pipe2': {'fildes': 'pipefd'},
    'close_range': {'fd': 'first', 'max_fd': 'last'},
    'mount': {'dev_name': 'source', 'dir_name': 'target', 'type': 'filesystemtype',
              'flags': 'mountflags'},
    'umount': {'name': 'target'},
    'umount2': {'name': 'target'},
    'swapon': {'specialfile': 'path', 'swap_flags': 'swapflags'},
    'swapoff': {'specialfile': 'path'},
    # I/O
    'ioctl': {'cmd': 'request'},
    'pread64': {'pos': 'offset'},
    'pwrite64': {'pos': 'offset'},
    'readv': {'vec': 'iov', 'vlen': 'iovcnt'},
    'writev': {'vec': 'iov', 'vlen': 'iovcnt'},
    'preadv': {'vec': 'iov', 'vlen': 'iovcnt'},
    'pwritev': {'vec': 'iov', 'vlen': 'iovcnt'},
    'preadv2': {'vec': 'iov', 'vlen': 'iovcnt'},
    'pwritev2': {'vec': 'iov', 'vlen': 'iovcnt'},
    'tee': {'fdin': 'fd_in', 'fdout': 'fd_out'},
    'select': {'n': 'nfds', 'inp': 'readfds', 'outp': 'writefds',
               'exp': 'exceptfds', 'tvp': 'timeout'},
    'pselect6': {'n': 'nfds', 'inp': 'readfds', 'outp': 'writefds',
                 'exp': 'exceptfds', 'tsp': 'timeout'},
    'poll': {'ufds': 'fds'},
    'ppoll': {'ufds': 'fds', 'tsp': 'tmo_p'},
    'eventfd': {'count': 'initval'},
    'eventfd2': {'count': 'initval'},
    'signalfd': {'ufd': 'fd', 'user_mask': 'mask'},
    'signalfd4': {'ufd': 'fd', 'user_mask': 'mask'},
    'timerfd_settime': {'ufd': 'fd', 'utmr': 'new_value', 'otmr': 'old_value'},
    'timerfd_gettime': {'ufd': 'fd', 'otmr': 'curr_value'},
    'getrandom': {'count': 'buflen'},
    'memfd_create': {'uname_ptr': 'name'},
    # memory
    'mmap': {'len': 'length', 'off': 'offset'},
    'munmap': {'len': 'length'},
    'mprotect': {'start': 'addr'},
    'pkey_mprotect': {'start': 'addr'},
    'madvise': {'start': 'addr', 'len': 'length', 'behavior': 'advice'},
    'msync': {'start': 'addr', 'len': 'length'},
    'mlock': {'start': 'addr'},
    'mlock2': {'start': 'addr'},
    'munlock': {'start': 'addr'},
    'mincore': {'start': 'addr', 'len': 'length'},
    'mremap': {'addr': 'old_address', 'old_len': 'old_size', 'new_len': 'new_size',
               'new_addr': 'new_address'},
    # processes
    'clone': {'clone_flags': 'flags', 'newsp': 'stack', 'parent_tidptr': 'parent_tid',
              'child_tidptr': 'child_tid'},
    'clone3': {'uargs': 'cl_args'},
    'exit': {'error_code': 'status'},
    'exit_group': {'error_code': 'status'},
    'wait4': {'stat_addr': 'wstatus', 'ru': 'rusage'},
    'waitid': {'which': 'idtype', 'pid': 'id'},
    'tkill': {'pid': 'tid'},
    'tgkill': {'pid': 'tid'},
    'unshare': {'unshare_flags': 'flags'},
    'personality': {'personality': 'persona'},
    'seccomp': {'op': 'operation', 'uargs': 'args'},
    'pidfd_getfd': {'fd': 'targetfd'},
    'process_vm_readv': {'lvec': 'local_iov', 'rvec': 'remote_iov'},
    'process_vm_writev': {'lvec': 'local_iov', 'rvec': 'remote_iov'},
    'sched_setaffinity': {'len': 'cpusetsize', 'user_mask_ptr': 'mask'},
    'sched_getaffinity': {'len': 'cpusetsize', 'user_mask_ptr': 'mask'},
    'setpriority': {'niceval': 'prio'},
    'getrusage': {'ru': 'usage'},
    'prlimit64': {'new_rlim': 'new_limit', 'old_rlim': 'old_limit'},
    'setgroups': {'gidsetsize': 'size', 'grouplist': 'list'},
    'getgroups': {'gidsetsize': 'size', 'grouplist': 'list'},
    'capget': {'header': 'hdrp', 'dataptr': 'datap'},
    'capset': {'header': 'hdrp', 'data': 'datap'},
    'perf_event_open': {'attr_uptr': 'attr'},
    'init_module': {'umod': 'module_image', 'uargs': 'param_values'},
    'finit_module': {'uargs': 'param_values'},
    'delete_module': {'name_user': 'name'},
    'reboot': {'magic1': 'magic'},
    'syslog': {'buf': 'bufp'},
    # signals and time
    'rt_sigaction': {'sig': 'signum', 'oact': 'oldact'},
    'sigaction': {'sig': 'signum', 'oact': 'oldact'},
    'rt_sigprocmask': {'oset': 'oldset'},
    'sigaltstack': {'uss': 'ss', 'uoss': 'old_ss'},
    'futex': {'op': 'futex_op', 'utime': 'timeout'},
    'nanosleep': {'rqtp': 'req', 'rmtp': 'rem'},
    'clock_nanosleep': {'which_clock': 'clockid', 'rqtp': 'request', 'rmtp': 'remain'},
    'clock_gettime': {'which_clock': 'clockid'},
    'clock_settime': {'which_clock': 'clockid'},
    'clock_getres': {'which_clock': 'clockid', 'tp': 'res'},
    # sockets
    'socket': {'family': 'domain'},
    'socketpair': {'family': 'domain', 'usockvec': 'sv'},
    'bind': dict(_SOCKFD, umyaddr='addr'),
    'connect': dict(_SOCKFD, uservaddr='addr'),
    'listen': _SOCKFD,
    'accept': dict(_SOCKFD, upeer_sockaddr='addr', upeer_addrlen='addrlen'),
    'accept4': dict(_SOCKFD, upeer_sockaddr='addr', upeer_addrlen='addrlen'),
    'getsockname': dict(_SOCKFD, usockaddr='addr', usockaddr_len='addrlen'),
    'getpeername': dict(_SOCKFD, usockaddr='addr', usockaddr_len='addrlen'),
    'sendto': dict(_SOCKFD, buff='buf', addr='dest_addr', addr_len='addrlen'),
    'recvfrom': dict(_SOCKFD, ubuf='buf', size='len', addr='src_addr',
                     addr_len='addrlen'),
    'send': dict(_SOCKFD, buff='buf'),
    'recv': dict(_SOCKFD, ubuf='buf', size='len'),
    'setsockopt': _SOCKFD,
    'getsockopt': _SOCKFD,
    'shutdown': _SOCKFD,
    'sendmsg': _SOCKFD,
    'recvmsg': _SOCKFD,
    'sendmmsg': dict(_SOCKFD, msg='msgvec'),
    'recvmmsg': dict(_SOCKFD, msg='msgvec'),
    # the rest, checked against the man-pages 6.03 synopses
    'add_key': {'_type': 'type', '_description': 'description', '_payload': 'payload',
                'destringid': 'keyring'},
    'request_key': {'_type': 'type', '_description': 'description',
                    '_callout_info': 'callout_info', 'destringid': 'dest_keyring'},
    'keyctl': {'cmd': 'operation'},
    'adjtimex': {'txc_p': 'buf'},
    'clock_adjtime': {'which_clock': 'clk_id', 'tx': 'buf'},
    'arch_prctl': {'option': 'code', 'arg2': 'addr'},
    'brk': {'brk': 'addr'},
    'flock': {'cmd': 'operation'},
    'getitimer': {'value': 'curr_value'},
    'setitimer': {'value': 'new_value', 'ovalue': 'old_value'},
    'io_setup': {'nr_reqs': 'nr_events', 'ctx': 'ctx_idp'},
    'io_destroy': {'ctx': 'ctx_id'},
    'ioperm': {'on': 'turn_on'},
    'kexec_file_load': {'cmdline_ptr': 'cmdline'},
    'lookup_dcookie': {'cookie64': 'cookie', 'buf': 'buffer'},
    'migrate_pages': {'from': 'old_nodes', 'to': 'new_nodes'},
    'move_pages': {'nr_pages': 'count'},
    'mbind': {'start': 'addr', 'nmask': 'nodemask'},
    'get_mempolicy': {'policy': 'mode', 'nmask': 'nodemask'},
    'set_mempolicy': {'nmask': 'nodemask'},
    'mmap2': {'len': 'length', 'pgoff': 'pgoffset'},
    'remap_file_pages': {'start': 'addr'},
    'pkey_alloc': {'init_val': 'access_rights'},
    'process_madvise': {'vec': 'iovec', 'behavior': 'advice'},
    'mount_setattr': {'path': 'pathname', 'uattr': 'attr', 'usize': 'size'},
    'mq_getsetattr': {'mqstat': 'newattr', 'omqstat': 'oldattr'},
    'mq_notify': {'notification': 'sevp'},
    'nice': {'increment': 'inc'},
    'readdir': {'dirent': 'dirp'},
    'rt_sigqueueinfo': {'pid': 'tgid', 'uinfo': 'info'},
    'rt_tgsigqueueinfo': {'pid': 'tid', 'uinfo': 'info'},
    'rt_sigsuspend': {'unewset': 'mask'},
    'rt_sigtimedwait': {'uthese': 'set', 'uinfo': 'info', 'uts': 'timeout'},
    'sigpending': {'uset': 'set'},
    'sigprocmask': {'oset': 'oldset'},
    'signal': {'sig': 'signum'},
    'sched_rr_get_interval': {'interval': 'tp'},
    'setfsuid': {'uid': 'fsuid'},
    'setfsgid': {'gid': 'fsgid'},
    'shmget': {'flag': 'shmflg'},
    'stime': {'tptr': 't'},
    'timer_create': {'which_clock': 'clockid', 'timer_event_spec': 'sevp',
                     'created_timer_id': 'timerid'},
    'timer_delete': {'timer_id': 'timerid'},
    'timer_getoverrun': {'timer_id': 'timerid'},
    'timer_gettime': {'timer_id': 'timerid', 'setting': 'curr_value'},
    'timer_settime': {'timer_id': 'timerid', 'new_setting': 'new_value',
                      'old_setting': 'old_value'},
    'times': {'tbuf': 'buf'},
    'uname': {'name': 'buf'},
    'vm86': {'cmd': 'fn', 'arg': 'v86'},
    'vm86old': {'user_vm86': 'info'},
    'waitpid': {'stat_addr': 'wstatus'},
}

# Integer types by width on a 64-bit arch. Pointers and arrays are 64.
# Integer types by the bits the kernel keeps when the SYSCALL_DEFINE wrapper
# casts the register to them (include/linux/syscalls.h, __SC_CAST).
TYPES_8 = {'char', 'signed char', 'unsigned char', 'u8', 's8', '__u8', '__s8', 'uint8_t'}
TYPES_16 = {'short', 'unsigned short', 'u16', 's16', '__u16', '__s16', 'uint16_t',
            'umode_t'}   # include/linux/types.h: typedef unsigned short umode_t
TYPES_32 = {
    'int', 'signed int', 'unsigned int', 'unsigned', 'signed',
    'u32', 's32', '__u32', '__s32', 'uint32_t', 'int32_t',
    'mode_t', 'pid_t', 'uid_t', 'gid_t', 'old_uid_t', 'old_gid_t',
    'key_serial_t', 'clockid_t', 'timer_t', '__kernel_timer_t', 'mqd_t', 'qid_t',
    'rwf_t', 'key_t',
}
TYPES_64 = {
    'long', 'signed long', 'unsigned long', 'long long', 'unsigned long long',
    'size_t', 'ssize_t', 'off_t', 'loff_t', 'u64', '__u64', 's64', '__s64',
    'uint64_t', 'aio_context_t', 'old_sigset_t',
    'cap_user_header_t', 'cap_user_data_t', '__sighandler_t',   # pointer typedefs
}
TYPES_SPLIT64 = {'loff_t', 'u64', '__u64', 's64', '__s64', 'uint64_t',
                 'long long', 'unsigned long long'}

# --------------------------------------------------------------------------
# Constants: which macros to take from which headers.
# Each group: (headers, regex on the name). Names come from the macros the
# headers define (gcc -dM) and from enum constants in their preprocessed text.
# A group whose headers an arch lacks is skipped on that arch.
# --------------------------------------------------------------------------
CONSTANT_GROUPS = [
    (['linux/fcntl.h'], r'(O_|F_|FD_|AT_|DN_|LOCK_)\w+|FASYNC|__O_TMPFILE|__O_SYNC'),
    (['linux/fs.h'], r'(SEEK_|RENAME_|RWF_|SYNC_FILE_RANGE_|FS_IOC_|BLK)\w+|'
                     r'FI(CLONE|CLONERANGE|DEDUPERANGE|FREEZE|THAW|TRIM|BMAP|GETBSZ)'),
    (['linux/mount.h'], r'(MS_|MOUNT_ATTR_|MOVE_MOUNT_|OPEN_TREE_|FSOPEN_|FSPICK_|'
                        r'FSMOUNT_|FSCONFIG_)\w+'),
    (['linux/sched.h'], r'(CLONE_|SCHED_)\w+'),
    (['asm/mman.h', 'linux/mman.h'],
     r'(PROT_|MAP_|MADV_|MREMAP_|MCL_|MLOCK_|PKEY_)\w+|MS_(ASYNC|SYNC|INVALIDATE)'),
    (['asm/errno.h'], r'E[A-Z0-9]+'),
    (['asm/signal.h'], r'SIG[A-Z0-9]+|SA_\w+|SS_(ONSTACK|DISABLE|AUTODISARM)|'
                       r'SIG_(BLOCK|UNBLOCK|SETMASK)|MINSIGSTKSZ'),
    (['asm/socket.h', 'asm/sockios.h', 'linux/sockios.h'],
     r'(SO_|SCM_|SIOC)\w+|SOL_SOCKET|FIOSETOWN|FIOGETOWN'),
    (['linux/in.h', 'linux/in6.h'], r'IPPROTO_\w+'),
    (['linux/futex.h'], r'FUTEX_\w+'),
    (['linux/prctl.h'], r'PR_\w+'),
    (['asm/prctl.h'], r'ARCH_\w+'),
    (['asm/termbits.h', 'asm/ioctls.h'], r'(TC|TIOC|FIO)\w+'),
    (['linux/random.h'], r'(GRND_|RND)\w+'),
    (['linux/time.h'], r'(CLOCK_|ITIMER_)\w+|TIMER_ABSTIME'),
    (['linux/timerfd.h'], r'TFD_\w+'),
    (['linux/resource.h'], r'(RLIMIT_|RLIM_|RLIM64_|PRIO_|RUSAGE_)\w+'),
    (['linux/wait.h'], r'W[A-Z]+|__W[A-Z]+|P_[A-Z]+'),
    (['linux/seccomp.h'], r'SECCOMP_\w+'),
    (['linux/inotify.h'], r'IN_\w+'),
    (['linux/eventpoll.h'], r'EPOLL\w+'),
    (['linux/signalfd.h'], r'SFD_\w+'),
    (['linux/memfd.h'], r'MFD_\w+'),
    (['linux/kcmp.h'], r'KCMP_\w+'),
    (['linux/xattr.h'], r'XATTR_(CREATE|REPLACE)'),
    (['linux/close_range.h'], r'CLOSE_RANGE_\w+'),
    (['linux/openat2.h'], r'RESOLVE_\w+'),
    (['linux/stat.h'], r'S_I[A-Z]+|STATX_\w+'),
    (['linux/falloc.h'], r'FALLOC_FL_\w+'),
    (['linux/net.h'], r'SYS_[A-Z]+'),
    (['linux/personality.h'],
     r'PER_\w+|UNAME26|ADDR_NO_RANDOMIZE|FDPIC_FUNCPTRS|MMAP_PAGE_ZERO|'
     r'ADDR_COMPAT_LAYOUT|READ_IMPLIES_EXEC|ADDR_LIMIT_32BIT|SHORT_INODE|'
     r'WHOLE_SECONDS|STICKY_TIMEOUTS|ADDR_LIMIT_3GB'),
    (['linux/keyctl.h'], r'(KEYCTL_|KEY_SPEC_|KEY_REQKEY_DEFL_)\w+'),
    (['linux/ptrace.h'], r'PTRACE_\w+'),
    (['linux/ipc.h'], r'IPC_\w+'),
    (['linux/membarrier.h'], r'MEMBARRIER_\w+'),
    (['linux/pidfd.h'], r'PIDFD_\w+'),
    (['linux/netlink.h'], r'NETLINK_\w+'),
    (['linux/reboot.h'], r'LINUX_REBOOT_\w+'),
    (['linux/mempolicy.h'], r'MPOL_\w+'),
    (['linux/capability.h'], r'CAP_[A-Z_]+'),
    (['linux/landlock.h'], r'LANDLOCK_\w+'),
    (['linux/io_uring.h'], r'(IORING_SETUP_|IORING_ENTER_|IORING_REGISTER_)\w+'),
    (['linux/module.h'], r'MODULE_INIT_\w+'),
    (['linux/userfaultfd.h'], r'UFFD_USER_MODE_ONLY'),
    (['linux/fanotify.h'], r'FAN_\w+'),
    (['linux/ioprio.h'], r'IOPRIO_(CLASS|WHO)_\w+'),
]
# Macros matched above that are not values (helpers, attributes, internal).
CONSTANT_EXCLUDE = {'EPOLL_PACKED', 'SIGSTKSZ_MAX'}

# ABI constants the kernel keeps in its internal headers (userspace gets them
# from libc). Taken from the linux-headers tree: (file, #define names regex,
# enum names whose bodies are copied verbatim, arches). Names starting with
# "_" are only helpers for other macros and are not put in the table.
KERNEL_INTERNAL = [
    ('include/linux/socket.h',
     r'(AF_|PF_|SOL_|MSG_)\w+|SOMAXCONN|SCM_(RIGHTS|CREDENTIALS|SECURITY)', [], ARCHES),
    ('include/linux/net.h', r'SOCK_(CLOEXEC|NONBLOCK)',
     ['sock_type', 'sock_shutdown_cmd'], ARCHES),
    ('include/linux/splice.h', r'SPLICE_F_(MOVE|NONBLOCK|MORE|GIFT)', [], ARCHES),
    ('include/linux/fs.h', r'MNT_(FORCE|DETACH|EXPIRE)|UMOUNT_NOFOLLOW', [], ARCHES),
    ('include/linux/eventfd.h', r'EFD_(SEMAPHORE|CLOEXEC|NONBLOCK)', [], ARCHES),
    ('include/linux/syslog.h', r'SYSLOG_ACTION_\w+', [], ARCHES),
    # x86's UAPI <asm/signal.h> defines SIGRTMAX as _NSIG but leaves _NSIG to
    # the kernel (arm64 gets it from asm-generic).
    ('arch/x86/include/asm/signal.h', r'_NSIG', [], ['x86_64', 'x86', 'x32']),
]
# Kernel-internal flags that share the MSG_/AF_ prefixes but are no ABI.
KERNEL_INTERNAL_EXCLUDE = {
    'MSG_CMSG_COMPAT', 'MSG_SENDPAGE_NOPOLICY', 'MSG_SENDPAGE_NOTLAST',
    'MSG_NO_SHARED_FRAGS', 'MSG_SENDPAGE_DECRYPTED', 'MSG_SPLICE_PAGES',
    'MSG_INTERNAL_SENDMSG_FLAGS', 'MSG_TRYHARD', 'AF_MAX', 'PF_MAX',
}
# Defined only by libc headers, same value on every arch and equal to what
# the kernel checks; evaluated against glibc on the build machine.
LIBC_CONSTANTS = (['unistd.h'], ['R_OK', 'W_OK', 'X_OK', 'F_OK'])

# libc spellings of kernel constants (glibc defines each as the kernel one):
# name -> kernel name, copied per arch.
CONSTANT_ALIASES = {
    'O_ASYNC': 'FASYNC',
    'O_FSYNC': 'O_SYNC',
    'O_RSYNC': 'O_SYNC',
    'MAP_ANON': 'MAP_ANONYMOUS',
    'SCHED_OTHER': 'SCHED_NORMAL',
    'SIGCLD': 'SIGCHLD',
}

# Constants newer than the 6.1 headers, same on every arch (facts).
SUPPLEMENT_CONSTANTS = [
    # include/uapi/linux/futex.h, Linux 6.7 (flags of futex_wake/wait/requeue)
    ('FUTEX2_SIZE_U8', 0x00), ('FUTEX2_SIZE_U16', 0x01), ('FUTEX2_SIZE_U32', 0x02),
    ('FUTEX2_SIZE_U64', 0x03), ('FUTEX2_NUMA', 0x04), ('FUTEX2_PRIVATE', 128),
    ('FUTEX2_SIZE_MASK', 0x03),
]

# --------------------------------------------------------------------------
# Locating the inputs
# --------------------------------------------------------------------------


def _version_key(path):
    return [int(x) if x.isdigit() else x for x in re.split(r'(\d+)', path)]


def find_tree(flavour):
    trees = sorted(glob.glob('/usr/src/linux-headers-*-' + flavour), key=_version_key)
    if not trees:
        sys.exit('gen_tables: no /usr/src/linux-headers-*-%s (install linux-headers-amd64)'
                 % flavour)
    return trees[-1]


class Env:
    """Include trees and compiler settings, built once per run."""

    def __init__(self, common, amd64, workdir):
        self.common = common
        self.amd64 = amd64
        self.work = workdir
        self.gcc_inc = subprocess.run(['gcc', '-print-file-name=include'], check=True,
                                      capture_output=True, text=True).stdout.strip()
        self.inc = {}
        x86 = os.path.join(workdir, 'inc-x86')
        arm = os.path.join(workdir, 'inc-arm64')
        for d in (x86, arm):
            os.makedirs(d)
            os.symlink('/usr/include/linux', os.path.join(d, 'linux'))
            os.symlink('/usr/include/asm-generic', os.path.join(d, 'asm-generic'))
        os.symlink('/usr/include/x86_64-linux-gnu/asm', os.path.join(x86, 'asm'))
        # arm64's asm/: its own UAPI headers plus, for every mandatory header it
        # does not provide, a wrapper around asm-generic (what Kbuild generates).
        asm = os.path.join(arm, 'asm')
        os.makedirs(asm)
        src = os.path.join(common, 'arch/arm64/include/uapi/asm')
        own = sorted(f for f in os.listdir(src) if f.endswith('.h'))
        for f in own:
            os.symlink(os.path.join(src, f), os.path.join(asm, f))
        kbuild = open(os.path.join(common, 'include/uapi/asm-generic/Kbuild')).read()
        for f in re.findall(r'mandatory-y\s*\+=\s*(\S+\.h)', kbuild):
            if f not in own:
                with open(os.path.join(asm, f), 'w') as out:
                    out.write('#include <asm-generic/%s>\n' % f)
        for arch in ARCHES:
            self.inc[arch] = arm if arch == 'aarch64' else x86
        self.flags = {
            'x86_64': ['-m64'],
            'x86': ['-m32'],
            'x32': ['-mx32'],
            'aarch64': ['-m64', '-U__x86_64__', '-U__x86_64', '-U__amd64__',
                        '-U__amd64', '-D__aarch64__', '-D__AARCH64EL__'],
        }
        self.counter = 0

    def cc(self, arch, extra, src, libc=False):
        self.counter += 1
        path = os.path.join(self.work, 'src%d.c' % self.counter)
        with open(path, 'w') as f:
            f.write(src)
        if libc:
            cmd = ['gcc', '-m64']
        else:
            cmd = ['gcc', '-nostdinc', '-ffreestanding', '-isystem', self.gcc_inc,
                   '-I', self.inc[arch]] + self.flags[arch]
        r = subprocess.run(cmd + extra + [path], capture_output=True, text=True)
        return r, os.path.basename(path)

    def has_header(self, arch, header):
        return os.path.exists(os.path.join(self.inc[arch], header))

    def macros(self, arch, src, libc=False):
        """Object-like macros defined after preprocessing SRC: name -> body."""
        r, _ = self.cc(arch, ['-E', '-dM'], src, libc)
        if r.returncode:
            sys.exit('gen_tables: gcc -E -dM failed for %s:\n%s' % (arch, r.stderr))
        out = {}
        for line in r.stdout.splitlines():
            m = re.match(r'#define (\w+)(\(?)\s*(.*)$', line)
            if m and not m.group(2):
                out[m.group(1)] = m.group(3)
        return out

    def preprocess(self, arch, src, extra=()):
        r, _ = self.cc(arch, ['-E', '-P'] + list(extra), src)
        if r.returncode:
            sys.exit('gen_tables: gcc -E failed for %s:\n%s' % (arch, r.stderr))
        return r.stdout, r.stderr

    def evaluate(self, arch, prelude, names, libc=False):
        """Value of each expression in NAMES compiled for ARCH. Names whose
        expansion does not compile to an integer constant are dropped."""
        names = sorted(set(names))
        pre = prelude.rstrip('\n').split('\n')
        for _ in range(20):
            body = ['const long long sfv__%s = (long long)(%s);' % (n, n) for n in names]
            r, fname = self.cc(arch, ['-w', '-S', '-o', '-'], '\n'.join(pre + body) + '\n',
                               libc)
            if r.returncode == 0:
                return parse_asm_values(r.stdout)
            bad = set()
            for m in re.finditer(re.escape(fname) + r':(\d+):', r.stderr):
                i = int(m.group(1)) - len(pre) - 1
                if 0 <= i < len(names):
                    bad.add(names[i])
            if not bad:
                sys.exit('gen_tables: cannot evaluate constants for %s:\n%s'
                         % (arch, r.stderr[:4000]))
            names = [n for n in names if n not in bad]
        sys.exit('gen_tables: too many evaluation rounds for %s' % arch)


def parse_asm_values(asm):
    sizes = {'quad': 8, '8byte': 8, 'long': 4, '4byte': 4, 'value': 2, 'short': 2,
             'byte': 1}
    vals = {}
    cur, buf = None, bytearray()
    for line in asm.splitlines():
        line = line.strip()
        m = re.match(r'^sfv__(\w+):$', line)
        if m:
            cur, buf = m.group(1), bytearray()
            continue
        if cur is None:
            continue
        m = re.match(r'^\.(\w+)\s+(.+)$', line)
        if not m or (m.group(1) not in sizes and m.group(1) != 'zero'):
            continue
        d, arg = m.group(1), m.group(2).strip()
        if d == 'zero':
            buf += bytes(int(arg, 0))
        else:
            try:
                v = int(arg, 0)
            except ValueError:          # a symbol: not an integer constant
                cur = None
                continue
            buf += (v & ((1 << (8 * sizes[d])) - 1)).to_bytes(sizes[d], 'little')
        if len(buf) >= 8:
            vals[cur] = int.from_bytes(bytes(buf[:8]), 'little', signed=True)
            cur = None
    return vals


# --------------------------------------------------------------------------
# Syscalls
# --------------------------------------------------------------------------

NR_NOT_SYSCALLS = {'__NR_syscalls', '__NR_arch_specific_syscall'}


def syscall_numbers(env):
    res = {}
    for arch in ARCHES:
        src = '#include <asm/unistd.h>\n'
        names = [n for n in env.macros(arch, src)
                 if n.startswith('__NR_') and n not in NR_NOT_SYSCALLS]
        vals = env.evaluate(arch, src, names)
        if len(vals) != len(names):
            sys.exit('gen_tables: unevaluated syscall numbers on %s: %s'
                     % (arch, sorted(set(names) - set(vals))))
        res[arch] = {n[len('__NR_'):]: v for n, v in vals.items()}
    return res


def entry_points(env):
    """arch -> {number without x32 bit: kernel function name}."""
    res = {}
    gen = os.path.join(env.amd64, 'arch/x86/include/generated/asm')
    for arch, f in (('x86_64', 'syscalls_64.h'), ('x86', 'syscalls_32.h'),
                    ('x32', 'syscalls_x32.h')):
        text = open(os.path.join(gen, f)).read()
        res[arch] = {int(m.group(1)): m.group(2) for m in re.finditer(
            r'^__SYSCALL(?:_WITH_COMPAT)?\((\d+),\s*(\w+)', text, re.M)}
    out, _ = env.preprocess('aarch64', '#include <asm/unistd.h>\n',
                            ['-D__SYSCALL(nr,call)=SFSYSCALL nr call;'])
    res['aarch64'] = {int(m.group(1)): m.group(2) for m in re.finditer(
        r'SFSYSCALL\s+\(?\s*(\d+)\s*\)?\s+(\w+)\s*;', out)}
    return res


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    return re.sub(r'//[^\n]*', '', text)


C_TYPE_WORDS = {'int', 'long', 'short', 'char', 'unsigned', 'signed', 'void'}
DROP_WORDS = {'const', 'volatile', 'restrict', '__user', '__force'}


def parse_param(text):
    """'const char __user *filename' -> (base type, name or None, is_pointer)."""
    toks = [t for t in re.findall(r'[A-Za-z_]\w*|\*|\[[^\]]*\]', text)
            if t not in DROP_WORDS]
    name = None
    idents = [t for t in toks if t[0] not in '*[']
    last = toks[-1] if toks else ''
    if last.startswith('['):
        cand = toks[-2] if len(toks) >= 2 else ''
    else:
        cand = last
    idx = len(toks) - 1 - toks[::-1].index(cand) if cand in toks else -1
    if (idx > 0 and cand[0] not in '*[' and len(idents) >= 2 and cand not in C_TYPE_WORDS
            and toks[idx - 1] not in ('struct', 'union', 'enum')):
        name = cand
        toks = toks[:idx] + toks[idx + 1:]
    ptr = any(t == '*' or t.startswith('[') for t in toks)
    if name is None and last.startswith('['):
        ptr = True
    base = ' '.join(t for t in toks if t[0] not in '*[')
    return base, name, ptr


def parse_param_list(args):
    args = ' '.join(args.split())
    if args in ('', 'void'):
        return []
    if '(' in args:
        raise ValueError('function pointer parameter: ' + args)
    return [parse_param(p) for p in args.split(',')]


def parse_declarations(env):
    """sys_ name without prefix -> [(base, name or None, ptr)]."""
    path = os.path.join(env.common, 'include/linux/syscalls.h')
    text = strip_comments(open(path).read())
    found = {}
    for m in re.finditer(r'asmlinkage\s+long\s+sys_(\w+)\s*\(([^;]*?)\)\s*;', text, re.S):
        found.setdefault(m.group(1), []).append(parse_param_list(m.group(2)))
    decls = {}
    for name, variants in found.items():
        if len(variants) > 1:
            if name not in DUPLICATE_DECLARATION_CHOICE:
                sys.exit('gen_tables: %s is declared %d times; add it to '
                         'DUPLICATE_DECLARATION_CHOICE' % (name, len(variants)))
            want = DUPLICATE_DECLARATION_CHOICE[name]
            if want is None:
                continue
            variants = [v for v in variants if len(v) == want]
            if len(variants) != 1:
                sys.exit('gen_tables: no unique %d-parameter %s' % (want, name))
        params = variants[0]
        if any(p[1] is None for p in params):
            names = UNNAMED_PARAM_NAMES.get(name)
            if names is None:
                # Left unnamed: has_signature=0 unless SUPPLEMENT_SIGNATURES has it.
                continue
            names = names.split()
            if len(names) != len(params):
                sys.exit('gen_tables: UNNAMED_PARAM_NAMES[%s] has %d names, '
                         'prototype has %d' % (name, len(names), len(params)))
            params = [(b, n, p) for (b, _, p), n in zip(params, names)]
        decls[name] = params
    return decls


def type_bits(base, ptr):
    if ptr:
        return 64, 0
    if base.startswith('enum '):
        return 32, 0
    for bits, types in ((8, TYPES_8), (16, TYPES_16), (32, TYPES_32)):
        if base in types:
            return bits, 0
    if base in TYPES_64:
        return 64, 1 if base in TYPES_SPLIT64 else 0
    sys.exit('gen_tables: unknown parameter type %r: add it to TYPES_8/16/32 or TYPES_64'
             % base)


class WidthExceptions:
    """The hand-written effective widths of width_exceptions.txt: for
    (function, parameter), the bits the kernel reads or 'by:OTHER' when that
    depends on parameter OTHER. Remembers which entries were used, so that
    an entry naming nothing is an error rather than silently ignored."""

    def __init__(self, path):
        self.table = {}
        self.used = set()
        with open(path) as f:
            for lineno, line in enumerate(f, 1):
                line = line.strip()
                if not line or line.startswith('#'):
                    continue
                fields = line.split(None, 3)
                where = '%s:%d' % (os.path.basename(path), lineno)
                if len(fields) < 4:
                    sys.exit('gen_tables: %s: want FUNCTION PARAM BITS SOURCE' % where)
                fn, param, width = fields[:3]
                if width.startswith('by:') and width[3:]:
                    value = width[3:]
                elif width.isdigit() and 0 < int(width) < 64:
                    value = int(width)
                else:
                    sys.exit('gen_tables: %s: bad width %r' % (where, width))
                if (fn, param) in self.table:
                    sys.exit('gen_tables: %s: %s %s given twice' % (where, fn, param))
                self.table[(fn, param)] = value

    def apply(self, fn, params):
        """PARAMS [(name, bits, split64)] of kernel function FN with the
        exceptions applied, as [(name, bits, split64, depends_on)]."""
        names = {p[0] for p in params}
        out = []
        for name, bits, split in params:
            value = self.table.get((fn, name))
            depends = None
            if value is not None:
                self.used.add((fn, name))
                if isinstance(value, str):
                    if value not in names or value == name:
                        sys.exit('gen_tables: width exception %s %s: no parameter %r'
                                 % (fn, name, value))
                    depends = value
                elif value >= bits:
                    sys.exit('gen_tables: width exception %s %s: %d bits does not narrow %d'
                             % (fn, name, value, bits))
                else:
                    bits = value
            out.append((name, bits, split, depends))
        return out

    def check_all_used(self):
        unused = sorted(set(self.table) - self.used)
        if unused:
            sys.exit('gen_tables: width exceptions name no parameter: %s'
                     % ', '.join('%s %s' % u for u in unused))


def signature_of(entry, arch, decls, widths):
    """Parameter list [(name, bits, split64, depends_on)] of a kernel
    function, or None. bits is the effective width (WIDTHS applied)."""
    if entry is None:
        return None
    # compat_sys_X (x32) and sys_ia32_X (i386 wrappers that take each 64-bit
    # value as two registers, low word first) have sys_X's parameters.
    fn = re.sub(r'^(compat_sys_|sys_ia32_)', 'sys_', entry)
    if fn == 'sys_ni_syscall':
        return None
    note = ARCH_SIGNATURE_NOTES.get((arch, fn))
    if note is not None:
        params = parse_param_list(note)
    elif fn in SUPPLEMENT_SIGNATURES:
        params = parse_param_list(SUPPLEMENT_SIGNATURES[fn])
    elif fn[len('sys_'):] in decls:
        params = decls[fn[len('sys_'):]]
    else:
        return None
    out = []
    for base, name, ptr in params:
        bits, split = type_bits(base, ptr)
        out.append((name, bits, split))
    return widths.apply(fn[len('sys_'):], out)


def build_syscalls(env, log, widths):
    nums = syscall_numbers(env)
    entries = entry_points(env)
    decls = parse_declarations(env)

    for name, nr, arches, sig in SUPPLEMENT_SYSCALLS:
        for arch in (ARCHES if arches == 'all' else arches):
            if name in nums[arch]:
                sys.exit('gen_tables: supplement %s already in the %s headers' % (name, arch))
            nums[arch][name] = nr | (X32_BIT if arch == 'x32' else 0)
            entries[arch].setdefault(nr, 'sys_' + name)
        SUPPLEMENT_SIGNATURES.setdefault('sys_' + name, sig)

    def entry(arch, kname):
        nr = nums[arch][kname]
        return entries[arch].get(nr & ~X32_BIT if arch == 'x32' else nr)

    descs = {}
    mismatches = []
    canonical = sorted(set().union(*(nums[a].keys() for a in ARCHES)))
    for name in canonical:
        knames = {a: (name if name in nums[a] else None) for a in ARCHES}
        knames.update(ARCH_KNAME_OVERRIDES.get(name, {}))
        descs[name] = make_desc(name, knames, nums, entry, decls, mismatches, widths)
    for alias, targets in sorted(SYSCALL_ALIASES.items()):
        if alias in descs:
            sys.exit('gen_tables: alias %s is also a kernel name' % alias)
        knames = {}
        for a in ARCHES:
            t = targets.get(a)
            if t is not None and t not in nums[a]:
                sys.exit('gen_tables: alias %s -> %s: no such syscall on %s' % (alias, t, a))
            knames[a] = t
        descs[alias] = make_desc(alias, knames, nums, entry, decls, mismatches, widths)

    # Every (arch, nr) must belong to exactly one canonical entry.
    for a in ARCHES:
        seen = {}
        for n in canonical:
            if n in nums[a]:
                nr = nums[a][n]
                if nr in seen:
                    sys.exit('gen_tables: %s and %s share number %d on %s'
                             % (seen[nr], n, nr, a))
                seen[nr] = n
    widths.check_all_used()
    for m in mismatches:
        log(m)
    return [descs[n] for n in sorted(descs)], nums, mismatches


def layout_differs(arch, sig, table):
    """True when SIG (ARCH's kernel function) puts arguments where TABLE does
    not: another count, another width on a 64-bit arch, another split on x86,
    or the same names in another order. Renamed parameters (the *_time32
    variants call them t, new, old...) are not a difference."""
    if len(sig) != len(table):
        return True
    if arch != 'x86' and [p[1] for p in sig] != [p[1] for p in table]:
        return True
    if arch == 'x86' and [p[2] for p in sig] != [p[2] for p in table]:
        return True
    names, tnames = [p[0] for p in sig], [p[0] for p in table]
    return names != tnames and sorted(names) == sorted(tnames)


def make_desc(name, knames, nums, entry, decls, mismatches, widths):
    sigs = {}
    for a in SIGNATURE_ARCH_ORDER:
        if knames[a] is not None:
            sigs[a] = signature_of(entry(a, knames[a]), a, decls, widths)
    chosen_arch = next((a for a in SIGNATURE_ARCH_ORDER if sigs.get(a) is not None), None)
    chosen = sigs[chosen_arch] if chosen_arch is not None else None
    # Per parameter, the arches on which CHOSEN says where it is: a named
    # argument is refused on the others (see tables.h, syscall_param.arches).
    param_arches = [0] * (len(chosen) if chosen is not None else 0)
    if chosen is not None:
        for a, s in sigs.items():
            # Another kernel function (mmap2 for mmap) must match by name,
            # parameter by parameter: its renamed ones mean something else.
            whole = s is not None and knames[a] == knames[chosen_arch] and \
                not layout_differs(a, s, chosen)
            if s is not None and not whole:
                mismatches.append('%s on %s: (%s)' % (
                    name, a, ', '.join('%s/%d' % (p[0], p[1]) for p in s)))
            for i, cp in enumerate(chosen):
                same = s is not None and i < len(s) and s[i][0] == cp[0] and \
                    (a == 'x86' or s[i][1] == cp[1])
                if s is None or whole or same:
                    param_arches[i] |= 1 << ARCHES.index(a)
    aliases = dict(PARAM_ALIASES.get(name, {}))
    # An alias entry takes the target's man-page spellings too.
    for a in SIGNATURE_ARCH_ORDER:
        if knames[a] is not None and knames[a] != name:
            for k, v in PARAM_ALIASES.get(knames[a], {}).items():
                aliases.setdefault(k, v)
            break
    params = []
    if chosen is not None:
        if len(chosen) > 6:
            sys.exit('gen_tables: %s has %d parameters' % (name, len(chosen)))
        for i, (pname, bits, split, depends) in enumerate(chosen):
            alias = aliases.get(pname, GLOBAL_PARAM_ALIASES.get(pname))
            if alias == pname:
                alias = None
            params.append((pname, alias, bits, split, param_arches[i], depends))
        names = {p[0] for p in params}
        unused = set(PARAM_ALIASES.get(name, {})) - names
        if unused:
            sys.exit('gen_tables: PARAM_ALIASES[%s] names unknown parameters %s'
                     % (name, sorted(unused)))
    return {
        'name': name,
        'kname': [knames[a] for a in ARCHES],
        'nr': [nums[a][knames[a]] if knames[a] is not None else -1 for a in ARCHES],
        'has_signature': chosen is not None,
        'params': params,
    }


# --------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------


def kernel_internal_fragment(env, arch):
    """C text with the KERNEL_INTERNAL defines and enums for ARCH."""
    out = []
    for rel, regex, enums, arches in KERNEL_INTERNAL:
        if arch not in arches:
            continue
        text = strip_comments(open(os.path.join(env.common, rel)).read())
        text = re.sub(r'\\\n', ' ', text)
        pat = re.compile(r'(?:%s)$' % regex)
        for m in re.finditer(r'^\s*#\s*define\s+(\w+)[ \t]+([^\n]+)$', text, re.M):
            if pat.match(m.group(1)) and m.group(1) not in KERNEL_INTERNAL_EXCLUDE:
                out.append('#define %s %s' % (m.group(1), m.group(2).strip()))
        for e in enums:
            m = re.search(r'enum\s+%s\s*\{(.*?)\}' % e, text, re.S)
            if not m:
                sys.exit('gen_tables: enum %s not found in %s' % (e, rel))
            out.append('enum { %s };' % ' '.join(m.group(1).split()))
    return '\n'.join(out) + '\n'


def build_constants(env):
    per_arch = {}
    for arch in ARCHES:
        frag = kernel_internal_fragment(env, arch)
        frag_names = set(re.findall(r'#define (\w+)', frag))
        for body in re.findall(r'enum \{(.*?)\}', frag):
            frag_names |= set(re.findall(r'([A-Z_][A-Z0-9_]*)\s*(?:=|,|$)', body.strip()))
        frag_names = {n for n in frag_names if not n.startswith('_')}
        headers = []
        names = set()
        for hdrs, regex in CONSTANT_GROUPS:
            if not all(env.has_header(arch, h) for h in hdrs):
                continue
            pat = re.compile(r'(?:%s)$' % regex)
            src = 'typedef long time_t;\n' + ''.join('#include <%s>\n' % h for h in hdrs)
            found = {n for n in env.macros(arch, src) if pat.match(n)}
            text, _ = env.preprocess(arch, src)
            found |= {t for t in re.findall(r'\b[A-Z_][A-Z0-9_]*\b', text) if pat.match(t)}
            names |= found - CONSTANT_EXCLUDE
            headers += [h for h in hdrs if h not in headers]
        prelude = ('typedef long time_t;\n'
                   + ''.join('#include <%s>\n' % h for h in headers)
                   + frag)
        # A macro defined twice with different bodies would be evaluated with
        # the later one: refuse.
        _, err = env.preprocess(arch, prelude)
        if 'redefined' in err:
            sys.exit('gen_tables: conflicting definitions on %s:\n%s' % (arch, err))
        vals = env.evaluate(arch, prelude, names | frag_names)
        missing = frag_names - set(vals)
        if missing:
            sys.exit('gen_tables: kernel-internal constants not evaluated on %s: %s'
                     % (arch, sorted(missing)))
        per_arch[arch] = vals
    hdrs, libc_names = LIBC_CONSTANTS
    libc = env.evaluate('x86_64', ''.join('#include <%s>\n' % h for h in hdrs),
                        libc_names, libc=True)
    if set(libc) != set(libc_names):
        sys.exit('gen_tables: libc constants missing: %s' % (set(libc_names) - set(libc)))
    for arch in ARCHES:
        for n, v in libc.items():
            per_arch[arch].setdefault(n, v)
        for n, v in SUPPLEMENT_CONSTANTS:
            if n in per_arch[arch]:
                sys.exit('gen_tables: supplement constant %s already in headers' % n)
            per_arch[arch][n] = v
        for n, target in CONSTANT_ALIASES.items():
            if n in per_arch[arch]:
                sys.exit('gen_tables: constant alias %s already in headers' % n)
            if target in per_arch[arch]:
                per_arch[arch][n] = per_arch[arch][target]
    allnames = sorted(set().union(*(per_arch[a].keys() for a in ARCHES)))
    consts = []
    for n in allnames:
        present = 0
        vals = []
        for i, a in enumerate(ARCHES):
            if n in per_arch[a]:
                present |= 1 << i
                vals.append(per_arch[a][n])
            else:
                vals.append(0)
        consts.append((n, present, vals))
    return consts


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

HEADER = '/* Generated by compiler/tables/gen_tables.py \u2014 do not edit.\n'


def c_str(s):
    return 'NULL' if s is None else '"%s"' % s


def c_int64(v):
    if v == -(1 << 63):
        return 'INT64_MIN'
    if -(1 << 31) <= v < (1 << 31):
        return str(v) if -4096 < v < 4096 else ('%d' % v if v < 0 else '0x%x' % v)
    return 'INT64_C(%d)' % v if v < 0 else 'INT64_C(0x%x)' % v


def c_nr(arch, v):
    if v == -1:
        return '-1'
    if arch == 'x32':
        return 'X32(%d)' % (v & ~X32_BIT)
    return str(v)


def emit_syscalls(descs, sources, mismatches):
    out = [HEADER,
           ' * Syscall numbers and signatures for x86_64, x86 (i386), x32 and aarch64.\n',
           ' * Sources: %s.\n' % sources,
           ' * Columns: name, kernel __NR_ name per arch, number per arch,\n',
           ' * has_signature, nparams, {param name, man-page alias, bits, split64, arches}.\n',
           ' * bits is the width the kernel reads: the declared type\'s, narrowed by\n',
           ' * width_exceptions.txt where the kernel truncates further.\n']
    if mismatches:
        out.append(' *\n * The table has one signature per name (x86_64\'s where it exists).\n'
                   ' * These arches pass the arguments differently (name/bits):\n')
        for m in mismatches:
            out.append(' *   %s\n' % m)
    out.append(' */\n')
    out.append('''#include "tables/table_data.h"

#define X32(n) (0x40000000 | (n))

const struct syscall_desc syscall_table[] = {
''')
    for d in descs:
        if d['params']:
            ps = ', '.join('{%s, %s, %d, %d, 0x%x}' % (c_str(n), c_str(al), b, s, m)
                           for n, al, b, s, m, _ in d['params'])
        else:
            ps = '{NULL, NULL, 0, 0, 0}'
        out.append('\t{%s, {%s}, {%s}, %d, %d, {%s}},\n' % (
            c_str(d['name']),
            ', '.join(c_str(k) for k in d['kname']),
            ', '.join(c_nr(a, v) for a, v in zip(ARCHES, d['nr'])),
            1 if d['has_signature'] else 0, len(d['params']), ps))
    out.append('''};

const size_t syscall_table_len = sizeof(syscall_table) / sizeof(syscall_table[0]);

/* Parameters whose effective width depends on another parameter's value
 * (width_exceptions.txt, "by:"): syscall, parameter, the other parameter.
 * Sorted by syscall name. */
const struct syscall_width_by width_by_table[] = {
''')
    for d in descs:
        for p in d['params']:
            if p[5] is not None:
                out.append('\t{%s, %s, %s},\n' % (c_str(d['name']), c_str(p[0]), c_str(p[5])))
    out.append('''};

const size_t width_by_table_len = sizeof(width_by_table) / sizeof(width_by_table[0]);
''')
    return ''.join(out)


def emit_constants(consts, sources):
    out = [HEADER,
           ' * Symbolic constants with their kernel UAPI value on x86_64, x86 (i386),\n',
           ' * x32 and aarch64. Sources: %s.\n' % sources,
           ' * Columns: name, present (bit 1 << arch_id), value per arch (0 if absent).\n',
           ' */\n',
           '''#include "tables/table_data.h"

const struct constant_desc constant_table[] = {
''']
    for n, present, vals in consts:
        out.append('\t{"%s", 0x%x, {%s}},\n' % (n, present, ', '.join(c_int64(v) for v in vals)))
    out.append('''};

const size_t constant_table_len = sizeof(constant_table) / sizeof(constant_table[0]);
''')
    return ''.join(out)


def write_if_changed(path, text):
    old = None
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
    if old != text:
        with open(path, 'w') as f:
            f.write(text)
        return True
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--common', help='linux-headers-*-common tree (default: newest installed)')
    ap.add_argument('--amd64', help='linux-headers-*-amd64 tree (default: newest installed)')
    ap.add_argument('--outdir', default=HERE, help='where to write syscalls.c and constants.c')
    ap.add_argument('-v', '--verbose', action='store_true')
    args = ap.parse_args()
    common = args.common or find_tree('common')
    amd64 = args.amd64 or find_tree('amd64')

    def log(msg):
        if args.verbose:
            print('gen_tables: ' + msg, file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix='gen_tables.') as work:
        env = Env(common, amd64, work)
        widths = WidthExceptions(os.path.join(HERE, 'width_exceptions.txt'))
        descs, nums, mismatches = build_syscalls(env, log, widths)
        consts = build_constants(env)
    kver = os.path.basename(common)[len('linux-headers-'):-len('-common')]
    sources = ('linux-libc-dev and linux-headers-%s-{common,amd64} (Linux %s UAPI),\n'
               ' * plus the hand-written supplements in gen_tables.py' % (kver, kver.split('-')[0]))
    sc = emit_syscalls(descs, sources, mismatches)
    cc = emit_constants(consts, sources)
    for fname, text in (('syscalls.c', sc), ('constants.c', cc)):
        changed = write_if_changed(os.path.join(args.outdir, fname), text)
        print('gen_tables: %s %s' % ('wrote' if changed else 'unchanged', fname))
    counts = ', '.join('%s %d' % (a, len(nums[a])) for a in ARCHES)
    print('gen_tables: %d syscall names (%s), %d constants'
          % (len(descs), counts, len(consts)))


if __name__ == '__main__':
    main()
