/* SPDX-License-Identifier: MIT */
/* vm_assist and physdev_op, as Xen 4.17 answers them for an unprivileged PV domU. */
#include <asm/pv.h>
#include <tern/errno.h>
#include <tern/hypercall.h>
#include <tern/mm.h>
#include <tern/sched.h>
#include <xen/physdev.h>
#include <xen/xen.h>

/*
 * The assists Xen 4.17 accepts from a 64-bit PV guest (PV64_VM_ASSIST_MASK).
 * Several only mean something to 32-bit guests; Xen still accepts them so
 * that old kernels keep booting. Each is recorded in d->vm_assist for the
 * code that honours it (writable page tables, architectural IOPL, ...).
 */
#define PV64_VM_ASSIST_MASK ((1ul << VMASST_TYPE_4gb_segments)         | \
                             (1ul << VMASST_TYPE_4gb_segments_notify)  | \
                             (1ul << VMASST_TYPE_writable_pagetables)  | \
                             (1ul << VMASST_TYPE_pae_extended_cr3)     | \
                             (1ul << VMASST_TYPE_architectural_iopl)   | \
                             (1ul << VMASST_TYPE_runstate_update_flag) | \
                             (1ul << VMASST_TYPE_m2p_strict))

/*
 * vm_assist(cmd, type): enable or disable an assist for the whole domain.
 * Both arguments are 32 bits in Xen's prototype. Returns 0, -EINVAL for a
 * type outside the mask (checked first), -ENOSYS for any other cmd.
 */
long do_vm_assist(unsigned long cmd, unsigned long type)
{
    struct domain *d = current_vcpu()->domain;
    unsigned int c = (unsigned int)cmd, t = (unsigned int)type;

    if ( t >= 64 || !(PV64_VM_ASSIST_MASK & (1ul << t)) )
        return -EINVAL;
    switch ( c )
    {
    case VMASST_CMD_enable:
        __atomic_fetch_or(&d->vm_assist, 1ul << t, __ATOMIC_SEQ_CST);
        return 0;
    case VMASST_CMD_disable:
        __atomic_fetch_and(&d->vm_assist, ~(1ul << t), __ATOMIC_SEQ_CST);
        return 0;
    default:
        return -ENOSYS;
    }
}

/*
 * The domain a pirq (un)mapping names. Xen's default XSM policy refuses
 * these to a domU even for itself (-EPERM); an id that names no live
 * domain is -ESRCH first.
 */
static long physdev_domain_perm(domid_t domid)
{
    struct domain *d = current_vcpu()->domain;

    if ( domid == DOMID_SELF || domid == d->domain_id || domain_by_id(domid) )
        return -EPERM;
    return -ESRCH;
}

/* The GSIs of one 24-pin IO-APIC: a PC's, and QEMU's. */
#define NR_IRQS_GSI 24

/*
 * The physdev_op hypercall, for a domain that holds no physical device and
 * no PIRQ (Tern passes none through: the domain's PIRQ space is empty).
 * Answers, each after its argument was read (-EFAULT if it cannot be):
 *   set_iopl               0 (iopl 0..3 kept for the I/O emulation),
 *                          -EINVAL above 3
 *   eoi                    -EINVAL: no PIRQ is bound
 *   irq_status_query       -EINVAL: no PIRQ exists
 *   get_free_pirq          -ENOSPC: none to give
 *   pirq_eoi_gmfn_v1/v2    0 for a frame the domain owns, -EINVAL otherwise
 *   IRQ_UNMASK_NOTIFY      0 (nothing to unmask)
 *   map_pirq, unmap_pirq   -EPERM (-ESRCH for a reserved domain id)
 *   apic_*, alloc_irq_vector, PCI and MSI management, setup_gsi,
 *   pci_mmcfg_reserved, dbgp_op
 *                          -EPERM, as Xen's default XSM policy answers a
 *                          domU (with Xen's argument checks before it)
 *   set_iobitmap           -ENOSYS: Tern keeps no per-vCPU I/O bitmap yet
 *   anything else          -ENOSYS
 * cmd is an int in Xen's prototype. Nothing is logged.
 */
long do_physdev_op(unsigned long cmd, unsigned long arg)
{
    struct vcpu *v = current_vcpu();
    struct domain *d = v->domain;
    long rc;

    switch ( (int)cmd )
    {
    case PHYSDEVOP_set_iopl:
    {
        struct physdev_set_iopl set_iopl;

        if ( copy_from_guest(&set_iopl, arg, sizeof(set_iopl)) )
            return -EFAULT;
        if ( set_iopl.iopl > 3 )
            return -EINVAL;
        v->pv.iopl = set_iopl.iopl;
        return 0;
    }

    case PHYSDEVOP_eoi:
    {
        struct physdev_eoi eoi;

        return copy_from_guest(&eoi, arg, sizeof(eoi)) ? -EFAULT : -EINVAL;
    }

    case PHYSDEVOP_irq_status_query:
    {
        struct physdev_irq_status_query q;

        return copy_from_guest(&q, arg, sizeof(q)) ? -EFAULT : -EINVAL;
    }

    case PHYSDEVOP_get_free_pirq:
    {
        struct physdev_get_free_pirq out;

        return copy_from_guest(&out, arg, sizeof(out)) ? -EFAULT : -ENOSPC;
    }

    case PHYSDEVOP_pirq_eoi_gmfn_v1:
    case PHYSDEVOP_pirq_eoi_gmfn_v2:
    {
        struct physdev_pirq_eoi_gmfn info;

        /* A PV guest names the frame by MFN. With no PIRQ, Tern never
         * writes the map, so registering it takes nothing more. */
        if ( copy_from_guest(&info, arg, sizeof(info)) )
            return -EFAULT;
        if ( info.gmfn >= max_mfn || mfn_to_page(info.gmfn)->owner != d->domain_id )
            return -EINVAL;
        return 0;
    }

    case PHYSDEVOP_IRQ_UNMASK_NOTIFY:
        return 0;

    case PHYSDEVOP_map_pirq:
    {
        struct physdev_map_pirq map;

        if ( copy_from_guest(&map, arg, sizeof(map)) )
            return -EFAULT;
        if ( map.type == MAP_PIRQ_TYPE_MULTI_MSI && map.table_base )
            return -EINVAL;
        if ( map.type == MAP_PIRQ_TYPE_MSI_SEG )
            map.type = MAP_PIRQ_TYPE_MSI;
        rc = physdev_domain_perm(map.domid);
        if ( copy_to_guest(arg, &map, sizeof(map)) )
            rc = -EFAULT;
        return rc;
    }

    case PHYSDEVOP_unmap_pirq:
    {
        struct physdev_unmap_pirq unmap;

        if ( copy_from_guest(&unmap, arg, sizeof(unmap)) )
            return -EFAULT;
        return physdev_domain_perm(unmap.domid);
    }

    case PHYSDEVOP_apic_read:
    case PHYSDEVOP_apic_write:
    {
        struct physdev_apic apic;

        return copy_from_guest(&apic, arg, sizeof(apic)) ? -EFAULT : -EPERM;
    }

    case PHYSDEVOP_alloc_irq_vector:
    {
        struct physdev_irq irq_op;

        return copy_from_guest(&irq_op, arg, sizeof(irq_op)) ? -EFAULT : -EPERM;
    }

    case PHYSDEVOP_manage_pci_add:
    case PHYSDEVOP_manage_pci_remove:
    {
        struct physdev_manage_pci manage_pci;

        return copy_from_guest(&manage_pci, arg, sizeof(manage_pci)) ? -EFAULT : -EPERM;
    }

    case PHYSDEVOP_manage_pci_add_ext:
    {
        struct physdev_manage_pci_ext ext;

        if ( copy_from_guest(&ext, arg, sizeof(ext)) )
            return -EFAULT;
        return ext.is_extfn > 1 || ext.is_virtfn > 1 ? -EINVAL : -EPERM;
    }

    case PHYSDEVOP_pci_device_add:
    {
        struct physdev_pci_device_add add;
        uint32_t pxm;

        if ( copy_from_guest(&add, arg, sizeof(add)) )
            return -EFAULT;
        if ( (add.flags & XEN_PCI_DEV_PXM) &&
             copy_from_guest(&pxm, arg + sizeof(add), sizeof(pxm)) )
            return -EFAULT;
        return -EPERM;
    }

    case PHYSDEVOP_pci_device_remove:
    case PHYSDEVOP_restore_msi_ext:
    case PHYSDEVOP_prepare_msix:
    case PHYSDEVOP_release_msix:
    {
        struct physdev_pci_device dev;

        /* restore_msi(_ext) answers -ENODEV on Xen for a device the host
         * does not have; Tern knows no host devices and refuses them all. */
        return copy_from_guest(&dev, arg, sizeof(dev)) ? -EFAULT : -EPERM;
    }

    case PHYSDEVOP_restore_msi:
    {
        struct physdev_restore_msi restore_msi;

        return copy_from_guest(&restore_msi, arg, sizeof(restore_msi)) ? -EFAULT : -EPERM;
    }

    case PHYSDEVOP_setup_gsi:
    {
        struct physdev_setup_gsi setup_gsi;

        if ( copy_from_guest(&setup_gsi, arg, sizeof(setup_gsi)) )
            return -EFAULT;
        if ( setup_gsi.gsi < 0 || setup_gsi.gsi >= NR_IRQS_GSI )
            return -EINVAL;
        return -EPERM;
    }

    case PHYSDEVOP_pci_mmcfg_reserved:
    case PHYSDEVOP_dbgp_op:
        return -EPERM;              /* refused before the argument is read */

    case PHYSDEVOP_set_iobitmap:
        /* Needs a per-vCPU bitmap pointer and limit for the port I/O
         * emulation to consult; until then the op is not offered. */
        return -ENOSYS;

    default:
        return -ENOSYS;
    }
}

/*
 * xenpmu_op(op, arg): the virtual PMU. Xen 4.17 boots with vpmu=off by
 * default, and then every op answers -EOPNOTSUPP (Linux then says so and
 * goes on without perf counters). Tern has no virtual PMU: it answers as
 * that default Xen does.
 */
long do_xenpmu_op(unsigned long op, unsigned long arg)
{
    return -EOPNOTSUPP;
}
